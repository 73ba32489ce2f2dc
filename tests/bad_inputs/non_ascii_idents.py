import albumentations as A
données = 1
π = 3.14
train_aug = A.Compose([A.VerticalFlip(p=0.5)])  # ünïcödé
