import albumentations as A
# odd separators:  form feed,  file separator,  next line,   line,   paragraph
flip_ok = A.VerticalFlip(p=0.5)  # noqa: RL102
train_aug = A.Compose([A.VerticalFlip(p=0.5)])
