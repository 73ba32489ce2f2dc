import albumentations as A


def make():
	if True:
		return A.Compose([A.VerticalFlip(p=0.5)])
