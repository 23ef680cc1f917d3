"""Reference outputs of torch.nn.LSTM and torch.nn.MultiheadAttention (causal and key-padding masks) for
SequenceLayersTest in bn-autograd. Weights and inputs are filled with 0.5*sin(0.37*i + offset) in row-major order,
so the Java test rebuilds them without a file. float64. Run: /usr/bin/python3 scripts/pytorch/golden_sequence_layers.py
and paste the printed lists into the test when the layers change."""
import torch, math
torch.set_default_dtype(torch.float64)
def fill(t, off):
    n = t.numel()
    v = torch.tensor([0.5*math.sin(0.37*i + off) for i in range(n)]).reshape(t.shape)
    with torch.no_grad(): t.copy_(v)
# LSTM: input 3, hidden 2, B=2, T=3
lstm = torch.nn.LSTM(3, 2, batch_first=True)
for k,(name,p) in enumerate([('weight_ih_l0',lstm.weight_ih_l0),('weight_hh_l0',lstm.weight_hh_l0),('bias_ih_l0',lstm.bias_ih_l0),('bias_hh_l0',lstm.bias_hh_l0)]):
    fill(p, k)
x = torch.empty(2,3,3); fill(x, 10)
out,_ = lstm(x)
print('lstm', out.flatten().tolist())
# MHA: d=4, heads 2, B=2, T=3, key padding: seq 1 has length 2, causal too
mha = torch.nn.MultiheadAttention(4, 2, batch_first=True)
fill(mha.in_proj_weight, 0); fill(mha.in_proj_bias, 1); fill(mha.out_proj.weight, 2); fill(mha.out_proj.bias, 3)
x = torch.empty(2,3,4); fill(x, 10)
causal = torch.triu(torch.ones(3,3,dtype=torch.bool), 1)
pad = torch.tensor([[False,False,False],[False,False,True]])
y,_ = mha(x,x,x, attn_mask=causal, key_padding_mask=pad, need_weights=False)
print('mha', y.flatten().tolist())
