import albumentations as A

def make():
    return A.Compose([A.VerticalFlip(p=0.5)])
