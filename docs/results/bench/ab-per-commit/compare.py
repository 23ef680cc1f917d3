import glob,os,re,statistics,collections
runs=collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),'*-*.md')), key=lambda p:int(os.path.basename(p).split('-')[0])):
    c=os.path.basename(f).split('-')[1][:-3]
    rows={}
    s=open(f).read(); blk=s[s.index('## Every row'):]
    for line in blk.splitlines():
        x=[y.strip().strip('*') for y in line.split('|')[1:-1]]
        if len(x)>=9 and x[0] not in ('norm','---'):
            rows[(x[0],x[1],x[2],x[3],x[4])]=float(x[7])
    runs[c].append(rows)
order=['a6ae754','d051a9f','5db0dfb','d144931','afb1920','36a898e']
order=[c for c in order if c in runs]
keys=list(runs[order[0]][0].keys())
print('%-50s'%'row'+''.join('%16s'%c for c in order))
for k in keys:
    print('%-50s'%' '.join(k)+''.join('%16s'%'/'.join('%.2f'%r[k] for r in runs[c] if k in r) for c in order))
for c in order:
    gm=[statistics.geometric_mean([r[k] for k in keys if k in r]) for r in runs[c]]
    print(c,'geomean',' '.join('%.3f'%g for g in gm))
print()
print('rows where both runs of a commit are >5% above both runs of a6ae754:')
base=runs['a6ae754']
for c in order[1:]:
    w=[k for k in keys if min(r[k] for r in runs[c])>1.05*max(r[k] for r in base)]
    b=[k for k in keys if max(r[k] for r in runs[c])<min(r[k] for r in base)/1.05]
    print(c,'slower:',len(w),[' '.join(k) for k in w]); print(c,'faster:',len(b))
print('a6ae754 run1 vs run2 spread: rows differing >10%:',sum(1 for k in keys if max(base[0][k],base[1][k])>1.1*min(base[0][k],base[1][k])),'of',len(keys))
