import numpy as np, sys
from scipy import stats
SC = {
 'balanced': (5,5,dict(fold=.08,run=.05,model=.10,setting=.05,mask=.10)),
 'shared': (5,5,dict(fold=.20,run=.15,model=.05,setting=.05,mask=.05)),
 'noise': (5,5,dict(fold=.03,run=.03,model=.05,setting=.02,mask=.30)),
 'few': (3,8,dict(fold=.15,run=.05,model=.08,setting=.03,mask=.08)),
}
P=120; S=2
mu = np.random.default_rng(2024).uniform(.2,.8,P)
def cos(a,b): return (a*b).sum(-1)/np.sqrt((a*a).sum(-1)*(b*b).sum(-1))
def population(sp, n=100000, rng=np.random.default_rng(99)):
    g=lambda k: rng.normal(0,sp[k],(n,P))
    f,r,s=g('fold'),g('run'),g('setting')
    m=lambda *sh: mu+sum(sh)+g('model')+g('mask')
    ir=cos(m(f,r,s),m(f,g('run'),s)).mean()
    iff=cos(m(f,r,s),m(g('fold'),r,s)).mean()
    return ir,iff
def study(R,C,sp,rng):
    F=rng.normal(0,sp['fold'],(R,1,1,P)); G=rng.normal(0,sp['run'],(1,C,1,P))
    Sx=rng.normal(0,sp['setting'],(1,1,S,P)); M=rng.normal(0,sp['model'],(R,C,1,P))
    E=rng.normal(0,sp['mask'],(R,C,S,P))
    X=mu+F+G+Sx+M+E
    U=X/np.linalg.norm(X,axis=-1,keepdims=True)
    # IR[f,r,r'] summed over settings ; IF[r,f,f']
    IR=np.einsum('frsp,fqsp->frq',U,U)  # sum over s
    IF=np.einsum('frsp,grsp->rfg',U,U)
    return IR,IF
def weights(n,B,rng):
    return np.stack([np.bincount(rng.integers(0,n,n),minlength=n) for _ in range(B)]).astype(float)
