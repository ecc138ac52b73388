import sys; sys.path.insert(0,__import__('os').path.dirname(__import__('os').path.abspath(__file__)))
from cov import *
def comps(vb,vf,vr,R,C,cluster):
    r,c=R,C
    mf=r/(r-1)*vf; mr=c/(c-1)*vr; me=r*c/((r-1)*(c-1))*max(0,vb-vf-vr)
    mean=[mf,mr,me]; df=[r-1,c-1,(r-1)*(c-1)]
    whole=mf+mr-me
    if cluster=='fold': co=[1,1,-1] if whole>mf else [1,0,0]
    elif cluster=='run': co=[1,1,-1] if whole>mr else [0,1,0]
    else:
        co=[0,0,1]
        if mf>me: co[0]+=1; co[2]-=1
        if mr>me: co[1]+=1; co[2]-=1
    var=sum(a*b for a,b in zip(co,mean))
    den=sum((a*b)**2/d for a,b,d in zip(co,mean,df) if a!=0)
    dof=var*var/den if den>0 else 1
    return max(var,0),max(1,dof)
def ci(est,var,dof,level=.95):
    h=stats.t.ppf(1-(1-level)/2,dof)*np.sqrt(var); return est-h,est+h
def analyse(IR,IF,R,C,B,rng):
    w=weights(R,B,rng); v=weights(C,B,rng); one_w=np.ones_like(w); one_v=np.ones_like(v)
    offC=1-np.eye(C); offR=1-np.eye(R)
    def irmean(w,v):
        vv=np.einsum('br,bq,rq->brq',v,v,offC)
        return np.einsum('bf,brq,frq->b',w,vv,IR)/(np.einsum('bf,brq->b',w,vv)*S)
    def ifmean(w,v):
        ww=np.einsum('bf,bg,fg->bfg',w,w,offR)
        return np.einsum('br,bfg,rfg->b',v,ww,IF)/(np.einsum('br,bfg->b',v,ww)*S)
    def permodel(w,v):
        # d_fr
        num_ir=np.einsum('bq,frq,rq->bfr',v,IR,offC); den_ir=np.einsum('bq,rq->br',v,offC)[:,None,:]*S
        num_if=np.einsum('bg,rfg,fg->bfr',w,IF,offR); den_if=np.einsum('bg,fg->bf',w,offR)[:,:,None]*S
        with np.errstate(invalid='ignore',divide='ignore'):
            d=num_ir/den_ir-num_if/den_if
        W=w[:,:,None]*v[:,None,:]
        W=np.where(np.isfinite(d),W,0); d=np.nan_to_num(d)
        return (W*d).sum((1,2))/W.sum((1,2))
    out={}
    est_ir=irmean(one_w[:1],one_v[:1])[0]; est_if=ifmean(one_w[:1],one_v[:1])[0]
    kinds=[(w,v),(w,one_v),(one_w,v)]
    irs=[irmean(*k) for k in kinds]; ifs=[ifmean(*k) for k in kinds]
    va=lambda x: np.nanvar(x,ddof=1)
    out['ir']=ci(est_ir,*comps(*[va(x) for x in irs],R,C,'fold'))
    out['if']=ci(est_if,*comps(*[va(x) for x in ifs],R,C,'run'))
    d=[a-b for a,b in zip(irs,ifs)]
    out['diff_cur']=ci(est_ir-est_if,*comps(*[va(x) for x in d],R,C,'neither'))
    pm=[permodel(*k) for k in kinds]
    est_pm=permodel(one_w[:1],one_v[:1])[0]
    out['pm_both_t']=ci(est_pm,va(pm[0]),min(R,C)-1)
    out['pm_both_z']=ci(est_pm,va(pm[0]),1e9)
    out['pm_comp']=ci(est_pm,*comps(*[va(x) for x in pm],R,C,'neither'))
    vsum=va(pm[1])*R/(R-1)+va(pm[2])*C/(C-1)
    out['pm_fr']=ci(est_pm,vsum,min(R,C)-1)
    return out,est_ir-est_if,est_pm
if __name__=="__main__":
    name=sys.argv[1]; N=int(sys.argv[2]); B=int(sys.argv[3])
    R,C,sp=SC[name]
    tir,tif=population(sp)
    truth={'ir':tir,'if':tif}
    rng=np.random.default_rng(7)
    cov={};wid={}
    for i in range(N):
        IR,IF=study(R,C,sp,rng)
        out,dc,dp=analyse(IR,IF,R,C,B,rng)
        if i==0: print('est cur',dc,'pm',dp)
        for k,(lo,hi) in out.items():
            t=truth.get(k,tir-tif)
            cov[k]=cov.get(k,0)+(lo<=t<=hi); wid[k]=wid.get(k,0)+hi-lo
    print(name,'truth',tir,tif)
    for k in cov: print(f'  {k:10s} {cov[k]/N:.3f} {wid[k]/N:.4f}')
    