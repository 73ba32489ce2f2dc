# -*- coding: klingon -*-
import albumentations as A
