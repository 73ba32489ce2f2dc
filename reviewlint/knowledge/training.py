"""Keras training: what tells a Keras ``fit`` from any other, and the APIs around a training run.

Qualified names are canonical (see :mod:`reviewlint.knowledge.modules`): ``tf.keras.X``,
``tensorflow.keras.X`` and ``keras.X`` are all ``keras.X``; ``keras.models.X`` is ``keras.X``.
Sources, unless a line says otherwise: Keras 3.15 (keras/src/...) as installed with
TensorFlow 2.21, checked against the tf.keras 2.x documentation where the two differ.
"""

from __future__ import annotations

import re

# --- What makes a ``.fit`` a Keras fit ------------------------------------------------------------

# Keyword arguments of keras.Model.fit that no scikit-learn-style estimator takes
# (keras/src/trainers/trainer.py: Trainer.fit; fit_generator in tf.keras <= 2.x).
# ``callbacks`` is deliberately absent: LightGBM's and XGBoost's scikit-learn APIs take
# ``callbacks=`` too (lightgbm.LGBMModel.fit, xgboost.XGBModel.fit before 2.0). ``epochs`` is
# absent from scikit-learn, CatBoost, LightGBM and XGBoost fit signatures; the few other
# libraries that take it (Darts) are in NON_KERAS_PACKAGES.
KERAS_ONLY_FIT_KEYWORDS = frozenset(
    {
        "epochs",
        "nb_epoch",  # Keras 1
        "steps_per_epoch",
        "validation_data",
        "validation_split",
        "validation_steps",
        "validation_freq",
        "validation_batch_size",
        "initial_epoch",
    }
)

# Methods that only Keras models have among the things people call ``fit`` on.
KERAS_ONLY_FIT_METHODS = frozenset({"fit_generator"})

# Calls that build (or load) a Keras model: exact canonical names and name prefixes.
# keras.Model / keras.Sequential / keras.models.load_model (canonical keras.load_model) /
# keras.saving.load_model / keras.models.clone_model; keras.applications.* constructors;
# the pip ``efficientnet`` package (qubvel/efficientnet: efficientnet.keras, efficientnet.tfkeras);
# qubvel/segmentation_models (Keras: segmentation_models.Unet …); KerasCV / KerasHub models;
# TensorFlow Decision Forests models are Keras models (tfdf.keras.RandomForestModel).
KERAS_MODEL_BUILDERS = frozenset(
    {"keras.Model", "keras.Sequential", "keras.load_model", "keras.saving.load_model", "keras.clone_model"}
)
KERAS_MODEL_PREFIXES: tuple[str, ...] = (
    "keras.applications.",
    "efficientnet.keras.",
    "efficientnet.tfkeras.",
    "segmentation_models.",
    "keras_cv.models.",
    "keras_hub.models.",
    "keras_nlp.models.",
    "tensorflow_decision_forests.keras.",
)

# Top-level packages whose models have a ``fit`` that is not Keras's: an object built from one of
# them is never taken for a Keras model, whatever the call passes.
# scikit-learn (sklearn), CatBoost, LightGBM, XGBoost, imbalanced-learn, statsmodels, Prophet,
# pmdarima, sktime, Darts (fit(series, epochs=…)), skorch, PyTorch Lightning, fastai, umap, hdbscan.
NON_KERAS_PACKAGES = frozenset(
    {
        "sklearn",
        "catboost",
        "lightgbm",
        "xgboost",
        "imblearn",
        "statsmodels",
        "prophet",
        "fbprophet",
        "pmdarima",
        "sktime",
        "darts",
        "skorch",
        "pytorch_lightning",
        "lightning",
        "fastai",
        "umap",
        "hdbscan",
        "gensim",
        "torch",
    }
)


def is_keras_model_builder(qualname: str) -> bool:
    """Whether a call to ``qualname`` returns a Keras model."""
    return qualname in KERAS_MODEL_BUILDERS or qualname.startswith(KERAS_MODEL_PREFIXES)


def is_non_keras(qualname: str) -> bool:
    """Whether ``qualname`` comes from a package whose estimators are not Keras models."""
    return qualname.split(".", 1)[0] in NON_KERAS_PACKAGES


# Positions of arguments of Model.fit / fit_generator that may be passed positionally
# (keras/src/trainers/trainer.py: fit(x, y, batch_size, epochs, verbose, callbacks, ...);
# tf.keras 2.x Model.fit_generator(generator, steps_per_epoch, epochs, ...)).
FIT_POSITIONS = {"fit": {"batch_size": 2, "epochs": 3}, "fit_generator": {"steps_per_epoch": 1, "epochs": 2}}

# --- Callbacks ------------------------------------------------------------------------------------

EARLY_STOPPING = "keras.callbacks.EarlyStopping"
MODEL_CHECKPOINT = "keras.callbacks.ModelCheckpoint"

# Callbacks that keep the per-epoch metrics somewhere (so the learning curves survive even when
# fit()'s History is dropped). keras.callbacks.CSVLogger / TensorBoard / History / RemoteMonitor
# (keras/src/callbacks/); Weights & Biases: wandb.keras.WandbCallback and
# wandb.integration.keras.WandbMetricsLogger (docs.wandb.ai/guides/integrations/keras);
# livelossplot.PlotLossesKeras / PlotLossesKerasTF (livelossplot README); Neptune:
# neptune.integrations.tensorflow_keras.NeptuneCallback and neptune_tensorflow_keras.NeptuneCallback;
# MLflow: mlflow.keras.MlflowCallback / mlflow.tensorflow.MlflowCallback (mlflow >= 2.6);
# DVCLive: dvclive.keras.DVCLiveCallback (and the older DvcLiveCallback). Comet and ClearML log
# Keras runs through auto-logging instead (AUTOLOG_CALLS below).
LOGGING_CALLBACKS = frozenset(
    {
        "keras.callbacks.CSVLogger",
        "keras.callbacks.TensorBoard",
        "keras.callbacks.History",
        "keras.callbacks.RemoteMonitor",
        "tensorflow.compat.v1.keras.callbacks.TensorBoard",
        "wandb.keras.WandbCallback",
        "wandb.keras.WandbMetricsLogger",
        "wandb.integration.keras.WandbCallback",
        "wandb.integration.keras.WandbMetricsLogger",
        "livelossplot.PlotLossesKeras",
        "livelossplot.PlotLossesKerasTF",
        "livelossplot.inputs.keras.PlotLossesCallback",
        "livelossplot.inputs.tf_keras.PlotLossesCallback",
        "neptune.integrations.tensorflow_keras.NeptuneCallback",
        "neptune_tensorflow_keras.NeptuneCallback",
        "neptune.new.integrations.tensorflow_keras.NeptuneCallback",
        "mlflow.keras.MlflowCallback",
        "mlflow.tensorflow.MlflowCallback",
        "dvclive.keras.DVCLiveCallback",
        "dvclive.keras.DvcLiveCallback",
    }
)

# Third-party callbacks that only show progress or stop training, and keep no metrics:
# tqdm.keras.TqdmCallback (tqdm docs, "Keras integration"), TensorFlow Addons' TQDMProgressBar and
# TimeStopping (tensorflow_addons/callbacks), keras-tqdm's TQDMCallback/TQDMNotebookCallback.
NON_LOGGING_CALLBACKS = frozenset(
    {
        "tqdm.keras.TqdmCallback",
        "tensorflow_addons.callbacks.TQDMProgressBar",
        "tensorflow_addons.callbacks.TimeStopping",
        "keras_tqdm.TQDMCallback",
        "keras_tqdm.TQDMNotebookCallback",
    }
)

# PyTorch optimizers: torch.optim.<Name>(params, …) (torch/optim/*.py); an optimizer updates only
# the parameters it was given when built, and param_groups grow only through add_param_group.
TORCH_OPTIMIZER = re.compile(r"^torch\.optim\.[A-Z]\w*$")

# Lightning's EarlyStopping (lightning/pytorch/callbacks/early_stopping.py, 2.4) has no
# restore_best_weights: the module keeps the last epoch's weights. The best ones come back only
# through a checkpoint: trainer.test/validate/predict(ckpt_path="best"), or
# Module.load_from_checkpoint(checkpoint_callback.best_model_path) (callbacks/model_checkpoint.py).
LIGHTNING_EARLY_STOPPING = frozenset({f"{package}.callbacks.EarlyStopping"
                                      for package in ("lightning.pytorch", "pytorch_lightning", "lightning")})
LIGHTNING_BEST_CHECKPOINT = "best_model_path"
LIGHTNING_CHECKPOINTS = frozenset({f"{package}.callbacks.ModelCheckpoint"
                                   for package in ("lightning.pytorch", "pytorch_lightning", "lightning")})

# Lightning's own callbacks that record nothing themselves (lightning/pytorch/callbacks/: the
# checkpoint, early stopping and progress bars; LearningRateMonitor and DeviceStatsMonitor only
# hand values to the Trainer's logger). Any other callback of a Trainer(logger=False) may keep
# the metrics (a class of the project's own): assumed to.
LIGHTNING_SILENT_CALLBACKS = frozenset({
    f"{package}.callbacks.{name}"
    for package in ("lightning.pytorch", "pytorch_lightning", "lightning")
    for name in ("ModelCheckpoint", "EarlyStopping", "LearningRateMonitor", "TQDMProgressBar", "RichProgressBar",
                 "DeviceStatsMonitor", "StochasticWeightAveraging", "ModelSummary", "RichModelSummary", "GradientAccumulationScheduler")
})

# keras.callbacks.LambdaCallback counts as logging when it has an ``on_epoch_end`` hook: that hook
# receives the epoch's metrics (keras/src/callbacks/lambda_callback.py).
LAMBDA_CALLBACK = "keras.callbacks.LambdaCallback"
LAMBDA_EPOCH_HOOKS = frozenset({"on_epoch_end"})

# Calls that switch on automatic metric logging for every fit that follows:
# mlflow.autolog / mlflow.keras.autolog / mlflow.tensorflow.autolog (mlflow.org/docs/latest/
# tracking/autolog.html); comet_ml.Experiment / comet_ml.start (auto_metric_logging defaults to
# True, comet.com/docs/v2/integrations/ml-frameworks/keras); clearml.Task.init (captures Keras and
# TensorBoard scalars automatically, clear.ml/docs/latest/docs/integrations/keras).
AUTOLOG_CALLS = frozenset(
    {
        "mlflow.autolog",
        "mlflow.keras.autolog",
        "mlflow.tensorflow.autolog",
        "comet_ml.Experiment",
        "comet_ml.start",
        "clearml.Task.init",
    }
)

# --- Seeding ---------------------------------------------------------------------------------------

PYTHON, NUMPY, BACKEND, TORCH = "random", "NumPy", "TensorFlow", "PyTorch"

# What each seeding call seeds. keras.utils.set_random_seed seeds Python's random, NumPy and the
# backend (keras/src/utils/rng_utils.py; tf.keras.utils.set_random_seed since TF 2.7);
# tf.random.set_seed (TF 2) and tf.set_random_seed / tf.compat.v1.set_random_seed (TF 1) seed
# TensorFlow's graph-level seed only; transformers.set_seed seeds random, NumPy, torch and TF
# (transformers/trainer_utils.py); Lightning's seed_everything seeds random, NumPy and torch.
# torch seeds do nothing for a Keras/TensorFlow run.
SEEDERS: dict[str, frozenset[str]] = {
    "keras.utils.set_random_seed": frozenset({PYTHON, NUMPY, BACKEND}),
    "keras.backend.set_random_seed": frozenset({PYTHON, NUMPY, BACKEND}),
    "tensorflow.random.set_seed": frozenset({BACKEND}),
    "tensorflow.random.set_random_seed": frozenset({BACKEND}),
    "tensorflow.set_random_seed": frozenset({BACKEND}),
    "tensorflow.compat.v1.set_random_seed": frozenset({BACKEND}),
    "tensorflow.compat.v1.random.set_random_seed": frozenset({BACKEND}),
    "numpy.random.seed": frozenset({NUMPY}),
    "random.seed": frozenset({PYTHON}),
    "transformers.set_seed": frozenset({PYTHON, NUMPY, BACKEND, TORCH}),
    # lightning/fabric/utilities/seed.py (Lightning 2.x; pytorch_lightning 1.x the same):
    # random.seed, np.random.seed, torch.manual_seed (which also seeds every CUDA device).
    "pytorch_lightning.seed_everything": frozenset({PYTHON, NUMPY, TORCH}),
    "pytorch_lightning.utilities.seed.seed_everything": frozenset({PYTHON, NUMPY, TORCH}),
    "lightning.seed_everything": frozenset({PYTHON, NUMPY, TORCH}),
    "lightning.pytorch.seed_everything": frozenset({PYTHON, NUMPY, TORCH}),
    "lightning.fabric.seed_everything": frozenset({PYTHON, NUMPY, TORCH}),
    # accelerate/utils/random.py set_seed: random, NumPy, torch.manual_seed, torch.cuda.manual_seed_all.
    "accelerate.utils.set_seed": frozenset({PYTHON, NUMPY, TORCH}),
    "accelerate.utils.random.set_seed": frozenset({PYTHON, NUMPY, TORCH}),
    # torch/random.py manual_seed seeds the CPU generator and every CUDA device's. The CUDA-only
    # seeds (torch/cuda/random.py) leave the CPU generator, where weights are usually
    # initialized, unseeded; they are counted as seeding all the same (scripts that call them
    # nearly always call torch.manual_seed too, and reviewlint reports only what is certain).
    "torch.manual_seed": frozenset({TORCH}),
    "torch.random.manual_seed": frozenset({TORCH}),
    "torch.cuda.manual_seed": frozenset({TORCH}),
    "torch.cuda.manual_seed_all": frozenset({TORCH}),
}
EVERYTHING = frozenset({PYTHON, NUMPY, BACKEND, TORCH})

# PyTorch training, as the code shows it: ``loss.backward()`` (or ``accelerator.backward(loss)``,
# ``scaler.scale(loss).backward()``) in a file that imports torch, and ``Trainer.fit`` of Lightning
# (lightning/pytorch/trainer/trainer.py). Modules whose import marks a PyTorch file:
TORCH_MODULES = frozenset({"torch", "lightning", "pytorch_lightning", "accelerate", "timm", "torchvision"})
# Frameworks other than PyTorch whose losses also have a ``backward()`` and whose trainers a
# ``step()`` (MXNet's gluon, Chainer, Paddle, MindSpore, tinygrad; TensorFlow and JAX for safety): a
# module that imports none of them and torch neither, with ``loss.backward()`` and
# ``optimizer.step()`` in one function, is a PyTorch training helper handed its objects.
OTHER_AUTOGRAD_MODULES = frozenset({"mxnet", "chainer", "paddle", "mindspore", "tinygrad", "tensorflow", "jax", "keras"})
# Lightning 1.x also built a Trainer from parsed arguments, ``Trainer.from_argparse_args(args, **kw)``
# (pytorch_lightning/trainer/trainer.py, 1.x; removed in 2.0).
LIGHTNING_TRAINERS = frozenset({
    "lightning.Trainer", "lightning.pytorch.Trainer", "pytorch_lightning.Trainer",
    "pytorch_lightning.Trainer.from_argparse_args", "lightning.pytorch.Trainer.from_argparse_args",
})

# Calls that keep a value beyond the run's console output, by the callee's last name: a list or
# a dict of lists growing (append, extend), TensorBoard's SummaryWriter.add_scalar(s)
# (torch/utils/tensorboard/writer.py), wandb.log, mlflow.log_metric(s), Lightning's self.log /
# log_dict, Python's logging (logger.info), csv writers, pandas' to_csv, a file's write, Ray Tune's
# tune.report / ray.train.report and Optuna's trial.report (docs.ray.io: tune.report;
# optuna.readthedocs.io: Trial.report), which hand each epoch's metrics to the tuner that keeps them.
# A hand-written PyTorch epoch loop none of whose calls is one of these records no learning curve.
METRIC_RECORDERS = frozenset({
    "append", "extend", "insert", "add_scalar", "add_scalars", "log", "log_metric", "log_metrics", "log_dict",
    "info", "writerow", "writerows", "to_csv", "write", "dump", "record", "report",
})
# A function or object the linter cannot see into (a project module's ``logger(...)``, a
# ``tracker.add_train(...)`` handed in as a parameter) that an epoch loop calls is taken to keep
# what it receives when its name says so; these libraries' functions (``numpy.log``) never do.
# The name is read one dotted part at a time; a word must start the part or follow an underscore.
# Plotting one epoch's values (``plot_roc(y_true, y_pred)``) keeps nothing; an object that
# plots over the epochs (``loss_plotter.add_epoch(loss)``, livelossplot's ``liveloss.update(…)``) does.
# Logits and log-probabilities (``logps.topk(1)``, ``log_probs``, ``log_softmax``) are values, not logs.
RECORDING_NAME = re.compile(r"(?i)(^|_)(log(?!its?(_|$)|_?p(robs?|s)?(_|$)|_?softmax)|record|track|histor|metric|csv|writer|board|wandb|neptune|mlflow|comet|"
                            r"plot_?loss|\w*plotter|liveloss)")
COMPUTING_LIBRARIES = frozenset({
    "numpy", "math", "scipy", "torch", "torchvision", "timm", "tensorflow", "keras", "pandas", "sklearn",
    "cv2", "PIL", "matplotlib", "seaborn", "albumentations", "os", "sys", "time", "random", "tqdm",
    "fastprogress", "lightning", "pytorch_lightning",
})
# Progress bars whose ``write`` prints above the bar and keeps nothing: tqdm's ``tqdm.write``
# and a bar's ``.write`` (tqdm/std.py), fastprogress's master_bar/progress_bar ``.write``
# (fastprogress/fastprogress.py); ``sys.stdout.write`` is printing too.
PROGRESS_BARS = frozenset({
    "tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm", "tqdm.tqdm_notebook",
    "tqdm.trange", "tqdm.auto.trange", "tqdm.notebook.trange",
    "fastprogress.master_bar", "fastprogress.progress_bar",
    "fastprogress.fastprogress.master_bar", "fastprogress.fastprogress.progress_bar",
    "sys.stdout", "sys.stderr",
})
# Values that build an empty in-memory container: a list, dict or set display, these
# constructors, or an array/tensor of zeros. Rebuilt every epoch (or in every call of a function
# the epoch loop calls) and never handed on, such a container keeps one epoch's values at most.
EMPTY_BUILTINS = frozenset({"list", "dict", "set"})
EMPTY_CONTAINERS = frozenset({
    "collections.defaultdict", "collections.OrderedDict",
    "numpy.zeros", "numpy.empty", "numpy.zeros_like", "torch.zeros", "torch.empty", "torch.zeros_like", "torch.tensor",
})

# torch.utils.data.DataLoader(dataset, batch_size=1, shuffle=None, …): shuffle is the third
# parameter and off by default (torch/utils/data/dataloader.py, torch 2.5).
DATA_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
DATA_LOADER_SHUFFLE_POSITION = 2
# Where a Lightning Trainer method takes validation data, by keyword and position:
# fit(model, train_dataloaders=None, val_dataloaders=None, datamodule=None, ckpt_path=None),
# validate(model=None, dataloaders=None, ckpt_path=None, …) (lightning/pytorch/trainer/trainer.py, 2.4).
LIGHTNING_VALIDATION_DATA = {"fit": ("val_dataloaders", 2), "validate": ("dataloaders", 1)}

# Blocks that turn gradients off without changing a module's mode (torch/autograd/grad_mode.py:
# no_grad and inference_mode are context managers and decorators; Module.eval() is
# Module.train(False), torch/nn/modules/module.py).
INFERENCE_GUARDS = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
                              "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode"})
# What returns an nn.Module in training mode (a new Module is in training mode, torch/nn/modules/
# module.py; torch.load gives back the mode it was saved in, after training usually "train");
# torchvision.models.*, timm.create_model (timm/models/_builder.py does not call eval()),
# segmentation_models_pytorch, efficientnet_pytorch. transformers' from_pretrained calls
# model.eval() (modeling_utils.py) and is not here.
TRAIN_MODE_BUILDERS = ("torchvision.models", "timm", "torch.load", "torch.nn.Sequential", "torch.nn.ModuleList",
                       "segmentation_models_pytorch", "efficientnet_pytorch", "pretrainedmodels", "torch.hub.load")
LOSS_NAME = re.compile(r"Loss$|loss")
# Layers that compute differently in training and evaluation mode (torch/nn/modules/dropout.py,
# batchnorm.py; their functional forms take ``training=``).
MODE_DEPENDENT_LAYERS = re.compile(r"\b(Dropout\w*|BatchNorm\w*|SyncBatchNorm|dropout|batch_norm|AlphaDropout)\b")
# Method calls that move or cast a module and return it: model = Net().to(device).
MODULE_MOVES = frozenset({"to", "cuda", "cpu", "float", "half", "double", "train"})

# Calls on a batch inside a data loop that are not a model run (reviewlint.analysis.data_loops):
# tensor and container methods by name, and callee names that log, score, transform or schedule
# (lr_scheduler(val_loss), early_stopping(val_loss): objects called with a metric).
NOT_A_MODEL_RUN = frozenset({
    "append", "extend", "to", "cuda", "cpu", "item", "numpy", "detach", "tolist", "float", "long", "half", "size",
    "view", "reshape", "permute", "unsqueeze", "squeeze", "argmax", "softmax", "sigmoid", "sum", "mean", "max", "min",
    "backward", "step", "zero_grad", "update", "add_scalar", "log", "log_dict", "set_postfix", "write", "save",
    "format", "join", "eq", "cat", "stack", "clone", "flip", "transpose", "type", "copy_", "fill_",
    # a logger's methods (``log = logging.getLogger(…)``; ``log.info("epoch %d", epoch)``)
    "debug", "info", "warning", "warn", "error", "critical", "exception",
})
NOT_A_MODEL_NAME = re.compile(r"^(criterion|metric|score|acc|f1|auc|print|plot|show|imshow|log|save|write|"
                              r"transform|aug|tta|flip|rot|resize|crop|collate|decode|load|read|"
                              r"lr_?sched|sched|early|stopper|monitor|meter|callback|tracker|timer|pbar)", re.IGNORECASE)

# A function whose body the linter cannot see (imported from the project's own modules) and
# whose name says it seeds (seed_everything, set_seed, fix_seeds …) is taken to seed everything.
SEEDING_NAME = re.compile(r"seed", re.IGNORECASE)

# --- Learning-rate schedules -----------------------------------------------------------------------

# Schedules stepped once per optimizer step (batch): keras.optimizers.schedules.* take the
# optimizer's ``iterations`` as their step (keras/src/optimizers/schedules/learning_rate_schedule.py).
# Positional order of their arguments, for calls that pass them without keywords.
SCHEDULES: dict[str, tuple[str, ...]] = {
    "keras.optimizers.schedules.ExponentialDecay": ("initial_learning_rate", "decay_steps", "decay_rate", "staircase"),
    "keras.optimizers.schedules.InverseTimeDecay": ("initial_learning_rate", "decay_steps", "decay_rate", "staircase"),
    "keras.optimizers.schedules.CosineDecay": ("initial_learning_rate", "decay_steps", "alpha"),
    "keras.optimizers.schedules.PolynomialDecay": (
        "initial_learning_rate",
        "decay_steps",
        "end_learning_rate",
        "power",
        "cycle",
    ),
    # TF 1.x functional schedules: tf.compat.v1.train.exponential_decay(learning_rate, global_step,
    # decay_steps, decay_rate, staircase) (tensorflow/python/training/learning_rate_decay.py).
    "tensorflow.compat.v1.train.exponential_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate", "staircase"),
    "tensorflow.train.exponential_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate", "staircase"),
    "tensorflow.compat.v1.train.inverse_time_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate", "staircase"),
    "tensorflow.train.inverse_time_decay": ("learning_rate", "global_step", "decay_steps", "decay_rate", "staircase"),
}
# PyTorch schedulers that multiply the rate by ``gamma`` (torch/optim/lr_scheduler.py, torch 2.5):
# StepLR(optimizer, step_size, gamma=0.1) every ``step_size`` calls of step(); MultiStepLR(
# optimizer, milestones, gamma=0.1) at each milestone; ExponentialLR(optimizer, gamma) at every
# call. Each with its parameters in positional order (``optimizer`` first) and gamma's default.
TORCH_SCHEDULERS: dict[str, tuple[tuple[str, ...], float | None]] = {
    "torch.optim.lr_scheduler.StepLR": (("optimizer", "step_size", "gamma"), 0.1),
    "torch.optim.lr_scheduler.MultiStepLR": (("optimizer", "milestones", "gamma"), 0.1),
    "torch.optim.lr_scheduler.ExponentialLR": (("optimizer", "gamma"), None),
}
# Where a Kaggle notebook reads datasets: /kaggle/input/<dataset>/ (../input/ from the working
# directory /kaggle/working), read-only (https://www.kaggle.com/docs/notebooks, "Data sources").
# A model a notebook saved and then uploaded as a dataset comes back under the same file name.
KAGGLE_INPUT_DIRS = ("../input/", "/kaggle/input/")
# Lightning steps the schedulers ``configure_optimizers`` returns itself: once per epoch, or once
# per optimizer step when the scheduler's config dict says ``"interval": "step"``
# (lightning/pytorch/core/module.py, LightningModule.configure_optimizers; the config's defaults,
# interval "epoch" and frequency 1, in lightning/pytorch/core/optimizer.py _configure_schedulers).
# The Trainer runs ``max_epochs`` epochs (lightning/pytorch/trainer/trainer.py).
LIGHTNING_CONFIGURE_OPTIMIZERS = "configure_optimizers"
LIGHTNING_SCHEDULER_KEY = "scheduler"
LIGHTNING_INTERVAL_KEY = "interval"
LIGHTNING_PER_STEP_INTERVAL = "step"
LIGHTNING_MAX_EPOCHS = "max_epochs"
# Defaults of the schedules' optional arguments (same source).
SCHEDULE_DEFAULTS: dict[str, object] = {
    "staircase": False,
    "alpha": 0.0,
    "end_learning_rate": 0.0001,
    "power": 1.0,
    "cycle": False,
}

# Keras optimizers (keras.optimizers.X and the Keras 2.11-2.15 keras.optimizers.legacy.X).
# Their ``decay=`` argument (Keras <= 2.10, and legacy optimizers) divides the rate by
# (1 + decay * iterations) at every step (keras/optimizers/optimizer_v2/optimizer_v2.py:
# _decayed_lr); Keras 3 ignores it with a warning ("Argument `decay` is no longer supported and
# will be ignored", keras/src/optimizers/base_optimizer.py), TF 2.11-2.15's new optimizers reject it.
OPTIMIZERS = frozenset({"SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Ftrl", "Lion"})


def optimizer_name(qualname: str) -> str | None:
    """The class name of a Keras optimizer constructor, or None."""
    for prefix in ("keras.optimizers.legacy.", "keras.optimizers."):
        if qualname.startswith(prefix):
            name = qualname[len(prefix):]
            return name if name in OPTIMIZERS else None
    return None


# --- Losses and output activations -----------------------------------------------------------------

# Probabilistic cross-entropy losses: the loss class, its function and string spellings, and
# whether from_logits defaults to False (keras/src/losses/losses.py: all default to False).
LOSS_CLASSES = frozenset(
    {
        "keras.losses.CategoricalCrossentropy",
        "keras.losses.SparseCategoricalCrossentropy",
        "keras.losses.BinaryCrossentropy",
        "keras.losses.CategoricalFocalCrossentropy",
        "keras.losses.BinaryFocalCrossentropy",
    }
)
LOSS_FUNCTIONS = frozenset(
    {
        "keras.losses.categorical_crossentropy",
        "keras.losses.sparse_categorical_crossentropy",
        "keras.losses.binary_crossentropy",
        "keras.losses.categorical_focal_crossentropy",
        "keras.losses.binary_focal_crossentropy",
        "keras.metrics.categorical_crossentropy",
        "keras.metrics.sparse_categorical_crossentropy",
        "keras.metrics.binary_crossentropy",
    }
)
LOSS_STRINGS = frozenset(
    {
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "binary_crossentropy",
        "categorical_focal_crossentropy",
        "binary_focal_crossentropy",
    }
)
# TensorFlow ops that take logits by definition (tf.nn.*_cross_entropy_with_logits).
LOGITS_LOSSES = frozenset(
    {
        "tensorflow.nn.softmax_cross_entropy_with_logits",
        "tensorflow.nn.sparse_softmax_cross_entropy_with_logits",
        "tensorflow.nn.sigmoid_cross_entropy_with_logits",
    }
)

SQUASHING_ACTIVATIONS = frozenset({"softmax", "sigmoid", "log_softmax"})
LINEAR_ACTIVATIONS = frozenset({"linear", None})
# Functions that apply softmax/sigmoid to a tensor: keras.activations.* (keras/src/activations),
# keras.ops.* (Keras 3), tf.nn.* / tf.math.* / tf.sigmoid.
ACTIVATION_FUNCTIONS: dict[str, str] = {
    "keras.activations.softmax": "softmax",
    "keras.activations.sigmoid": "sigmoid",
    "keras.ops.softmax": "softmax",
    "keras.ops.sigmoid": "sigmoid",
    "tensorflow.nn.softmax": "softmax",
    "tensorflow.math.softmax": "softmax",
    "tensorflow.nn.sigmoid": "sigmoid",
    "tensorflow.math.sigmoid": "sigmoid",
    "tensorflow.sigmoid": "sigmoid",
}
# Layers that can be a model's last layer and whose activation the linter reads: ``activation``
# keyword (Dense also positionally, keras/src/layers/core/dense.py: Dense(units, activation, …)).
ACTIVATION_LAYERS = frozenset(
    {
        "keras.layers.Dense",
        "keras.layers.Conv1D",
        "keras.layers.Conv2D",
        "keras.layers.Conv3D",
        "keras.layers.Conv1DTranspose",
        "keras.layers.Conv2DTranspose",
        "keras.layers.Conv3DTranspose",
        "keras.layers.SeparableConv2D",
    }
)
ACTIVATION_POSITION = {"keras.layers.Dense": 1}
# Layers that pass their input through unchanged as far as the output activation goes: a model
# that ends ``Dense(10, activation="softmax")`` then ``Activation("linear", dtype="float32")`` (the
# mixed-precision idiom, tensorflow.org/guide/mixed_precision) or a ``Reshape`` still outputs
# probabilities.
PASS_THROUGH_LAYERS = frozenset({"keras.layers.Reshape", "keras.layers.Flatten", "keras.layers.Permute"})
ACTIVATION_LAYER = "keras.layers.Activation"  # Activation(activation)
SOFTMAX_LAYER = "keras.layers.Softmax"

# --- Backbones ----------------------------------------------------------------------------------

# Pretrained backbones without BatchNormalization layers: VGG16/VGG19 (keras/src/applications/
# vgg16.py, vgg19.py: convolutions and pooling only) and ConvNeXt (keras/src/applications/
# convnext.py: LayerNormalization). Their canonical qualified names' last part, by prefix.
NO_BATCHNORM_BACKBONES: tuple[str, ...] = ("VGG16", "VGG19", "ConvNeXt")

# PyTorch's cross entropy applies log_softmax itself (torch/nn/modules/loss.py CrossEntropyLoss:
# "the input is expected to contain the unnormalized logits"); NLLLoss expects log-probabilities.
TORCH_CROSS_ENTROPY = frozenset({"torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss"})
TORCH_CROSS_ENTROPY_FUNCTIONS = frozenset({"torch.nn.functional.cross_entropy"})
TORCH_NLL = frozenset({"torch.nn.NLLLoss"})
TORCH_NLL_FUNCTIONS = frozenset({"torch.nn.functional.nll_loss"})
# softmax as a function, a module and a tensor method (torch/nn/functional.py, torch/nn/modules/activation.py).
TORCH_SOFTMAX_FUNCTIONS = frozenset({"torch.nn.functional.softmax", "torch.softmax", "torch.special.softmax"})
TORCH_SOFTMAX_MODULE = "torch.nn.Softmax"

