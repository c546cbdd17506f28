import time, torch, sys
sys.path.insert(0, '.')
import torchkeras.optimizers as O
def params(n, size):
    torch.manual_seed(0)
    ps = [torch.nn.Parameter(torch.randn(size, size, device='cuda')) for _ in range(n)] + [torch.nn.Parameter(torch.randn(size, device='cuda')) for _ in range(n)]
    for q in ps: q.grad = torch.randn_like(q)
    return ps
def built(o, p): o.build(p); return o
cases = [("torch Adam foreach", lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7, foreach=True)),
         ("torch Adam fused", lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-7, fused=True)),
         ("keras Adam", lambda p: built(O.Adam(), p)),
         ("keras Adam sched+gclip", lambda p: built(O.Adam(O.schedules.CosineDecay(1e-3, 1000), global_clipnorm=1.0), p)),
         ("torch SGD mom foreach", lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, foreach=True)),
         ("keras SGD mom", lambda p: built(O.SGD(momentum=0.9), p)),
         ("keras RMSprop", lambda p: built(O.RMSprop(), p)),
         ("keras Lamb", lambda p: built(O.Lamb(), p))]
for n, size in ((50, 32), (20, 1024)):
    print(f"--- {2*n} params, {size}x{size} + {size}")
    for name, mk in cases:
        p = params(n, size); opt = mk(p)
        for _ in range(20): opt.step()
        torch.cuda.synchronize(); t = time.perf_counter(); k = 200
        for _ in range(k): opt.step()
        torch.cuda.synchronize()
        print(f"{name:26s} {(time.perf_counter()-t)/k*1e6:8.1f} us/step")
