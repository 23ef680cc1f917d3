import glob,statistics
def table(f):
    s=open(f).read(); blk=s[s.index('÷ pytorch-2.10 ms'):]; blk=blk[:blk.index('geometric')]
    rows={}
    for line in blk.splitlines():
        c=[x.strip().strip('*') for x in line.split('|')[1:-1]]
        if len(c)==7 and c[0] not in('norm','---'): rows[(c[0],c[1],c[2])]=[float(x) for x in c[3:]]
    g=[l for l in s.splitlines() if l.startswith('| geometric')][0]
    return rows,g
runs={f:table(f) for f in sorted(glob.glob(__import__('os').path.join(__import__('os').path.dirname(__file__), '*-*.md')))}
for f,(r,g) in runs.items(): print(f,g)
old=[r for f,(r,g) in runs.items() if 'old' in __import__('os').path.basename(f)]; new=[r for f,(r,g) in runs.items() if 'new' in __import__('os').path.basename(f)]
cols=['f32 1t','f32 2t','f64 1t','f64 2t']
n=0;worse=[]
for k in old[0]:
    for i in range(4):
        o=[r[k][i] for r in old]; w=[r[k][i] for r in new]
        n+=1
        if min(w)>max(o)*1.05: worse.append((k,cols[i],o,w))
print(len(worse),'of',n,'rows where every new run is >5% above every old run:')
for x in worse: print(x)
