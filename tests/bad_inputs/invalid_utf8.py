import albumentations as A
# no coding cookie, yet latin-1 bytes: café ÿþ
train_aug = A.VerticalFlip(p=0.5)
