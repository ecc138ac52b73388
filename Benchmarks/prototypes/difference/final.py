"""Final estimator: invariant (ANOVA-type) unbiased variance of a contrast of the inter-run /
inter-fold mean similarities, written as a signed sum of independent mean squares, and a
generalized-pivotal-quantity (GPQ) interval.

usage: python3 final.py SCENARIO NSTUDIES [SEED] [--cur] [--rho X]
  --cur : also run the current pigeonhole-bootstrap method (run.py, B=1000) on the same studies
"""
import sys; sys.path.insert(0,__import__('os').path.dirname(__import__('os').path.abspath(__file__)))
import numpy as np
from scipy import stats
from cov import SC, study, population, S

RHO=0.5      # assumed (fold-main variance)/(fold-pair variance) when R==3 (same for runs when C==3)

def ir_parts(Y,R,C):
    """Y[f,r,q] = IR/S, symmetric in r,q; diagonal ignored. needs C>=3"""
    off=1-np.eye(C); Y=Y*off
    m_fr=Y.sum(2)/(C-1); A=m_fr.mean(1); yb=A.mean(); m_r=m_fr.mean(0)
    k=(C-1)/(C-2)
    alpha=k*(m_r-yb)
    gamma=k*((m_fr-A[:,None])-(m_r-yb)[None,:])
    B=Y.mean(0)
    rho=(B-yb-alpha[:,None]-alpha[None,:])*off
    e=(Y-A[:,None,None]-B[None]+yb-gamma[:,:,None]-gamma[:,None,:])*off
    return yb,A-yb,alpha,gamma,R*(rho**2).sum()/2,(e**2).sum()/2

def terms(IR,IF,R,C,s_ir,s_if,rho=RHO):
    """returns estimate and list of (coef c_j, mean-square statistic Q_j, df nu_j);
    unbiased Var-hat = sum c_j Q_j"""
    yI,aF,aR,aC,irP,irE=ir_parts(IR/S,R,C)
    # IF side = same function with roles of folds and runs swapped: IF[r,f,g]
    yF,bR,bF,bC,ifP,ifE=ir_parts(IF/S,C,R)     # bR: run effects (F_r-ybar'), bF: kappa_f, bC[r,f]: delta
    bC=bC.T
    est=s_ir*yI+s_if*yF
    RC=R*C*(R-1)*(C-1)
    # three 2x2 blocks: quadratic form over (IR coordinate, IF coordinate); matrix M, df nu
    blocks=[('fold',aF,bF,np.outer([s_ir,2*s_if],[s_ir,2*s_if])/(R*(R-1)),R-1),
            ('run', aR,bR,np.outer([2*s_ir,s_if],[2*s_ir,s_if])/(C*(C-1)),C-1),
            ('cell',aC,bC,-4*np.outer([s_ir,s_if],[s_ir,s_if])/RC,(R-1)*(C-1))]
    if R==3:   # structural assumption Var(fold main of IF) = rho * Var(fold pair of IF)
        blocks[0][3][1,1]+=-s_if**2/(2*(1+rho)); blocks[2][3][1,1]+=3*s_if**2/(RC*(1+rho))
    if C==3:   # same for runs in IR
        blocks[1][3][0,0]+=-s_ir**2/(2*(1+rho)); blocks[2][3][0,0]+=3*s_ir**2/(RC*(1+rho))
    T=[]
    for nm,x,y,M,nu in blocks:
        ev,U=np.linalg.eigh(M)
        for j in range(2):
            if abs(ev[j])>1e-12*np.abs(ev).max():
                T.append((ev[j],((U[0,j]*x+U[1,j]*y)**2).sum(),nu))
    if s_ir!=0:
        if C>=4:
            T+=[(-4*s_ir**2/(R*C*(C-1)*(C-2)*(C-3)),irP,C*(C-3)//2),
                (4*s_ir**2/(R*(R-1)*C*(C-1)*(C-2)*(C-3)),irE,(R-1)*C*(C-3)//2)]
    if s_if!=0:
        if R>=4:
            T+=[(-4*s_if**2/(C*R*(R-1)*(R-2)*(R-3)),ifP,R*(R-3)//2),
                (4*s_if**2/(C*(C-1)*R*(R-1)*(R-2)*(R-3)),ifE,(C-1)*R*(R-3)//2)]
    return est,T

_Z=None
def gpq_halfwidth(T,level=.95,nd=10000,seed=12345):
    """V* = sum c_j Q_j nu_j / chi2_nu_j ; half-width = level-quantile of |Z| sqrt(max(V*,0))"""
    rng=np.random.default_rng(seed)   # fixed draws: deterministic interval
    Vs=np.zeros(nd)
    for c,Q,nu in T: Vs+=c*Q*nu/rng.chisquare(nu,nd)
    z=np.abs(rng.standard_normal(nd))
    return np.quantile(z*np.sqrt(np.maximum(Vs,0)),level), np.mean(Vs<0)

def satt(T):
    V=sum(c*Q for c,Q,nu in T); den=sum((c*Q)**2/nu for c,Q,nu in T)
    return V, V*V/den

def analyse(IR,IF,R,C,rho=RHO):
    out={}
    for key,(si,sf) in [('d',(1,-1)),('ir',(1,0)),('if',(0,1))]:
        est,T=terms(IR,IF,R,C,si,sf,rho)
        h,fneg=gpq_halfwidth(T)
        V,df=satt(T)
        out[key]=dict(est=est,h=h,fneg=fneg,V=V,df=df)
    return out

if __name__=='__main__':
    args=[a for a in sys.argv[1:] if not a.startswith('--')]
    name=args[0]; N=int(args[1]); seed=int(args[2]) if len(args)>2 else 7
    rho=float(sys.argv[sys.argv.index('--rho')+1]) if '--rho' in sys.argv else RHO
    if '--rho' in sys.argv: args=[a for a in args if a!=str(rho)]
    cur='--cur' in sys.argv
    R,C,sp=SC[name]
    tir,tif=population(sp); truth={'ir':tir,'if':tif,'d':tir-tif}
    rs=np.random.default_rng(seed)            # studies
    rb=np.random.default_rng(seed+1000)       # bootstrap of current method
    if cur:
        sys.path.insert(0,__import__('os').path.dirname(__import__('os').path.abspath(__file__))); import run as runmod
    acc={}; ests={k:[] for k in truth}; negV={k:0 for k in truth}; fn={k:0 for k in truth}
    def add(lab,lo,hi,t):
        a=acc.setdefault(lab,[0,0,0,0]); a[0]+=lo<=t<=hi; a[1]+=hi-lo; a[2]+=t<lo; a[3]+=t>hi
    for i in range(N):
        IR,IF=study(R,C,sp,rs)
        o=analyse(IR,IF,R,C,rho)
        for k,r in o.items():
            t=truth[k]; e=r['est']; ests[k].append(e)
            add(k+' GPQ',e-r['h'],e+r['h'],t)
            negV[k]+=r['V']<0; fn[k]+=r['fneg']
            hz=1.96*np.sqrt(max(r['V'],0)); add(k+' unb_z',e-hz,e+hz,t)
            ht=stats.t.ppf(.975,max(r['df'],1))*np.sqrt(max(r['V'],0)); add(k+' unb_satt',e-ht,e+ht,t)
        if cur:
            oc,_,_=runmod.analyse(IR,IF,R,C,1000,rb)
            for k,lab in [('d','diff_cur'),('ir','ir'),('if','if')]:
                lo,hi=oc[lab]; add(k+' current',lo,hi,truth[k])
    print(f'{name} R={R} C={C} N={N} seed={seed} rho={rho}  truth ir={tir:.5f} if={tif:.5f} d={tir-tif:.5f}')
    for k in ['d','ir','if']:
        print(f'  {k}: sd of estimate {np.std(ests[k],ddof=1):.5f}  P(unbiased V<0)={negV[k]/N:.3f}  mean frac of GPQ draws V*<0={fn[k]/N:.3f}')
        for lab,(c,w,lo,hi) in acc.items():
            if lab.split()[0]==k: print(f'     {lab:14s} coverage {c/N:.3f}  mean width {w/N:.4f}  (true below {lo/N:.3f}, above {hi/N:.3f})')
