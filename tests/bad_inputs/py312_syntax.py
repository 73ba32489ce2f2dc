import albumentations as A
type Transforms = list[A.BasicTransform]


def first[T](items: list[T]) -> T:
    return items[0]


train_aug = A.Compose([A.VerticalFlip(p=0.5)])
