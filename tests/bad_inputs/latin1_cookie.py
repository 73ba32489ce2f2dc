# -*- coding: latin-1 -*-
# café, naïve, ©
import albumentations as A
label = 'résumé'
train_aug = A.Compose([A.VerticalFlip(p=0.5)])
