import albumentations as A
def broken(:
    return A.VerticalFlip(p=0.5)
