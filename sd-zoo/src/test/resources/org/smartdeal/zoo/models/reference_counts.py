# Independent reference counts for ModelStatsTest (PyTorch conventions, written separately from the Java
# builders): trainable params (BN running stats excluded) and MACs (conv + linear only).
# Run: python3 reference_counts.py
def conv(h,w,cin,cout,k,s,p,bias=False,groups=1):
    oh=(h+2*p-k)//s+1; ow=(w+2*p-k)//s+1
    par=k*k*cin//groups*cout+(cout if bias else 0)
    return oh,ow,par,oh*ow*k*k*cin//groups*cout
def resnet(blocks,bott,imagenet,H,classes):
    P=0;M=0;h=w=H
    if imagenet:
        h,w,p,m=conv(h,w,3,64,7,2,3);P+=p+128;M+=m
        h=(h+2-3)//2+1;w=h
    else:
        h,w,p,m=conv(h,w,3,64,3,1,1);P+=p+128;M+=m
    c=64;exp=4 if bott else 1
    for s,pl in enumerate([64,128,256,512]):
        for b in range(blocks[s]):
            st=2 if s>0 and b==0 else 1
            if bott:
                h1,w1,p,m=conv(h,w,c,pl,1,1,0);P+=p+2*pl;M+=m
                h2,w2,p,m=conv(h1,w1,pl,pl,3,st,1);P+=p+2*pl;M+=m
                h3,w3,p,m=conv(h2,w2,pl,4*pl,1,1,0);P+=p+8*pl;M+=m
            else:
                h2,w2,p,m=conv(h,w,c,pl,3,st,1);P+=p+2*pl;M+=m
                h3,w3,p,m=conv(h2,w2,pl,pl,3,1,1);P+=p+2*pl;M+=m
            if st!=1 or c!=pl*exp:
                _,_,p,m=conv(h,w,c,pl*exp,1,st,0);P+=p+2*pl*exp;M+=m
            h,w,c=h3,w3,pl*exp
    P+=c*classes+classes;M+=c*classes
    return P,M
def mbv2(cifar,H,classes):
    P=0;M=0;h=w=H
    h,w,p,m=conv(h,w,3,32,3,1 if cifar else 2,1);P+=p+64;M+=m
    cfg=[(1,16,1,1),(6,24,2,1 if cifar else 2),(6,32,3,2),(6,64,4,2),(6,96,3,1),(6,160,3,2),(6,320,1,1)]
    c=32
    for t,o,n,s in cfg:
        for j in range(n):
            st=s if j==0 else 1;hid=c*t;hh,ww=h,w
            if t!=1 or cifar:
                hh,ww,p,m=conv(hh,ww,c,hid,1,1,0);P+=p+2*hid;M+=m
            hh,ww,p,m=conv(hh,ww,hid,hid,3,st,1,groups=hid);P+=p+2*hid;M+=m
            hh,ww,p,m=conv(hh,ww,hid,o,1,1,0);P+=p+2*o;M+=m
            if cifar and st==1 and c!=o:
                _,_,p,m=conv(h,w,c,o,1,1,0);P+=p+2*o;M+=m
            h,w,c=hh,ww,o
    h,w,p,m=conv(h,w,320,1280,1,1,0);P+=p+2560;M+=m
    P+=1280*classes+classes;M+=1280*classes
    return P,M
def vgg(cfg,H,bn,head,classes):
    P=0;M=0;h=w=H;c=3
    for v in cfg:
        if v=='M': h//=2;w//=2;continue
        h,w,p,m=conv(h,w,c,v,3,1,1,bias=True);P+=p+(2*v if bn else 0);M+=m;c=v
    f=c*h*w
    for d in [head,head,classes]:
        P+=f*d+d;M+=f*d;f=d
    return P,M
def cifar_basic(n,classes):
    # ResNet-(6n+2), He et al. 2016 section 4.2: BN after every conv, option-A (parameter-free) shortcuts
    P=0;M=0;h=w=32
    h,w,p,m=conv(h,w,3,16,3,1,1);P+=p+32;M+=m
    c=16
    for s,pl in enumerate([16,32,64]):
        for b in range(n):
            st=2 if s>0 and b==0 else 1
            h,w,p,m=conv(h,w,c,pl,3,st,1);P+=p+2*pl;M+=m
            h,w,p,m=conv(h,w,pl,pl,3,1,1);P+=p+2*pl;M+=m
            c=pl
    P+=c*classes+classes;M+=c*classes
    return P,M
def preact_bottleneck(n,classes):
    # ResNet-(9n+2), He et al. ECCV 2016: stem without BN; BN-ReLU before each conv; 1x1 projection without BN
    P=0;M=0;h=w=32
    h,w,p,m=conv(h,w,3,16,3,1,1);P+=p;M+=m
    c=16
    for s,pl in enumerate([16,32,64]):
        for b in range(n):
            st=2 if s>0 and b==0 else 1
            h1,w1,p,m=conv(h,w,c,pl,1,1,0);P+=p+2*c;M+=m
            h2,w2,p,m=conv(h1,w1,pl,pl,3,st,1);P+=p+2*pl;M+=m
            h3,w3,p,m=conv(h2,w2,pl,4*pl,1,1,0);P+=p+2*pl;M+=m
            if b==0:
                _,_,p,m=conv(h,w,c,4*pl,1,st,0);P+=p;M+=m
            h,w,c=h3,w3,4*pl
    P+=2*c+c*classes+classes;M+=c*classes
    return P,M
def mlp(sizes):
    # fully connected layers with biases
    P=sum(a*b+b for a,b in zip(sizes,sizes[1:]));M=sum(a*b for a,b in zip(sizes,sizes[1:]))
    return P,M
def small_cnn(classes):
    # 3x3 'same' convs with biases, 16-32-64 channels, a 2x2 max-pool after each, dense 128, classifier
    P=0;M=0;h=w=28;c=1
    for o in [16,32,64]:
        h,w,p,m=conv(h,w,c,o,3,1,1,bias=True);P+=p;M+=m;c=o;h//=2;w//=2
    q,m=mlp([c*h*w,128,classes]);P+=q;M+=m
    return P,M
V11=[64,'M',128,'M',256,256,'M',512,512,'M',512,512,'M']
V16=[64,64,'M',128,128,'M',256,256,256,'M',512,512,512,'M',512,512,512,'M']
V19=[64,64,'M',128,128,'M',256,256,256,256,'M',512,512,512,512,'M',512,512,512,512,'M']
print('resnet18',resnet([2,2,2,2],False,True,224,1000))
print('resnet50',resnet([3,4,6,3],True,True,224,1000))
print('resnet18-cifar',resnet([2,2,2,2],False,False,32,10))
print('mbv2',mbv2(False,224,1000))
print('mbv2-cifar',mbv2(True,32,10))
print('vgg11',vgg(V11,224,False,4096,1000))
print('vgg16',vgg(V16,224,False,4096,1000))
print('vgg19',vgg(V19,224,False,4096,1000))
print('vgg19-cifar',vgg(V19,32,True,512,10))
print('vgg11-cifar',vgg(V11,32,True,512,10))
print('vgg16-cifar',vgg(V16,32,True,512,10))
print('resnet20',cifar_basic(3,10))
print('resnet56',cifar_basic(9,10))
print('resnet164',preact_bottleneck(18,10))
print('lenet300',mlp([784,300,100,10]))
print('cnn',small_cnn(10))
