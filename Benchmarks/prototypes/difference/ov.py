"""Covariance-by-overlap-pattern variance for D = mean(IR units) - mean(IF units).
usage: python3 ov.py SCENARIO NSTUDIES [SEED]"""
import sys; sys.path.insert(0,__import__('os').path.dirname(__import__('os').path.abspath(__file__)))
import numpy as np
from scipy import stats
from cov import SC, study, population, S

def units(R,C):
    ir=[(f,r,q) for f in range(R) for r in range(C) for q in range(r+1,C)]
    iF=[(r,f,g) for r in range(C) for f in range(R) for g in range(f+1,R)]
    return ir,iF

def patterns(R,C):
    """label matrix L[p,q] over all units (IR first then IF).
    IR-IR: 0..5 = sf*3+nr ; IF-IF: 6..11 = 6+sr*3+nf ; IR-IF / IF-IR: 12..15 = 12+a*2+b"""
    ir,iF=units(R,C); n1,n2=len(ir),len(iF); n=n1+n2
    L=np.zeros((n,n),int)
    for i,(f,r,q) in enumerate(ir):
        for j,(f2,r2,q2) in enumerate(ir):
            L[i,j]=(f==f2)*3+len({r,q}&{r2,q2})
        for j,(r2,f2,g2) in enumerate(iF):
            a=f in (f2,g2); b=r2 in (r,q)
            L[i,n1+j]=L[n1+j,i]=12+a*2+b
    for i,(r,f,g) in enumerate(iF):
        for j,(r2,f2,g2) in enumerate(iF):
            L[n1+i,n1+j]=6+(r==r2)*3+len({f,g}&{f2,g2})
    return L,n1,n2

_cache={}
def prep(R,C):
    if (R,C) not in _cache:
        L,n1,n2=patterns(R,C)
        cnt=np.bincount(L.ravel(),minlength=16)
        _cache[(R,C)]=(L,n1,n2,cnt)
    return _cache[(R,C)]

def unitvals(IR,IF,R,C):
    ir,iF=units(R,C)
    a=np.array([IR[f,r,q] for f,r,q in ir])/S
    b=np.array([IF[r,f,g] for r,f,g in iF])/S
    return a,b

def moments(IR,IF,R,C):
    L,n1,n2,cnt=prep(R,C)
    s=np.concatenate(unitvals(IR,IF,R,C))
    P=np.outer(s,s)
    tot=np.bincount(L.ravel(),weights=P.ravel(),minlength=16)
    with np.errstate(invalid='ignore',divide='ignore'):
        m=tot/cnt
    return s[:n1].mean(),s[n1:].mean(),m,cnt,n1,n2

def analyse(IR,IF,R,C):
    mir,mif,m,cnt,n1,n2=moments(IR,IF,R,C)
    D=mir-mif
    # reference products (U-statistics over disjoint unit pairs)
    u_rr=m[0]; u_ff=m[6]; u_rf=m[12]
    out={}
    v_ir=mir**2-u_rr
    v_if=mif**2-u_ff
    v_d=D**2-(u_rr-2*u_rf+u_ff)
    out['ir']=(mir,v_ir); out['if']=(mif,v_if); out['d']=(D,v_d)
    return out

if __name__=='__main__':
    name=sys.argv[1]; N=int(sys.argv[2]); seed=int(sys.argv[3]) if len(sys.argv)>3 else 7
    R,C,sp=SC[name]
    tir,tif=population(sp); truth={'ir':tir,'if':tif,'d':tir-tif}
    rng=np.random.default_rng(seed)
    res={k:[] for k in truth}
    for i in range(N):
        IR,IF=study(R,C,sp,rng)
        o=analyse(IR,IF,R,C)
        for k in o: res[k].append(o[k])
    print(name,R,C,'N',N,'seed',seed)
    for k in res:
        a=np.array(res[k]); est,v=a[:,0],a[:,1]; t=truth[k]
        sd=est.std(ddof=1)
        print(f' {k}: true sd {sd:.5f}  mean est var^.5 {np.sqrt(max(v.mean(),0)):.5f}  neg {np.mean(v<0):.3f}  median sdhat {np.median(np.sqrt(np.maximum(v,0))):.5f}')
        for lab,df in [('z',1e9),('t_min',min(R,C)-1)]:
            h=stats.t.ppf(.975,df)*np.sqrt(np.maximum(v,0))
            print(f'    {lab:6s} cov {np.mean(np.abs(est-t)<=h):.3f} width {2*h.mean():.4f}')
