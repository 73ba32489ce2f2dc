# windows
import albumentations as A
train_aug = A.Compose([A.VerticalFlip(p=0.5)])
