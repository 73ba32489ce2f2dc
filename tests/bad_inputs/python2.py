import albumentations as A
print "training"
exec "x = 1"
raise ValueError, "old style"
