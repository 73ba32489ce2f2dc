"""The semantic model: scopes, variables, bindings, flows, calls and assignments in one order,
folded values, syntax hooks; frozen."""

from __future__ import annotations

import dataclasses
import textwrap

import libcst as cst
import pytest
from reviewlint_rules.redundant_tuple_parens import ParenthesizedTuples

from reviewlint.analysis.extract import extract
from reviewlint.analysis.scan import build_model
from reviewlint.analysis.semantic import MODULE, Scope, SemanticModel, Var
from reviewlint.api import UNKNOWN, SyntaxHooks, Unknown


def _model(code: str) -> SemanticModel:
    return build_model(cst.parse_module(textwrap.dedent(code)))


def _call(model: SemanticModel, callee: str) -> int:
    (found,) = [c for c in model.calls if cst.Module([]).code_for_node(c.node.func) == callee]
    return found.index


def test_names_qualify_to_the_scope_that_binds_them() -> None:
    model = _model("""
        x = 1
        def train(data, epochs=3):
            model = build()
            return model.fit(data, epochs=epochs, verbose=x)
        class Net:
            width = 4
    """)
    train = Scope("train", "function")
    assert model.qualify("model", train) == Var("model", train)
    assert model.qualify("model.fit", train) == Var("model.fit", train)  # dotted names follow their head
    assert model.qualify("data", train) == Var("data", train)  # a parameter is local
    assert model.qualify("x", train) == Var("x", MODULE)  # read, never bound there: the module's
    assert model.qualify("width", Scope("Net", "class")) == Var("width", Scope("Net", "class"))
    assert model.is_local("epochs", train) and not model.is_local("x", train)
    assert model.bound_anywhere("width") and not model.bound_anywhere("nothing")


def test_bindings_in_order_reaching_and_the_next_assignment() -> None:
    model = _model("""
        x = load()
        first(x)
        x += 1
        x = other()
        second(x)
        for x in items:
            third(x)
    """)
    x = Var("x", MODULE)
    kinds = [binding.kind for binding in model.bindings_of(x)]
    assert kinds == ["assign", "augassign", "assign", "for"]
    first, second = _call(model, "first"), _call(model, "second")
    reaching_first = model.reaching(x, first)
    reaching_second = model.reaching(x, second)
    assert reaching_first is not None and reaching_second is not None
    assert cst.Module([]).code_for_node(reaching_first.value) == "load()"  # type: ignore[arg-type]
    assert cst.Module([]).code_for_node(reaching_second.value) == "other()"  # type: ignore[arg-type]
    assert reaching_first.order <= first < reaching_second.order <= second
    after = model.next_binding(x, reaching_first.order)
    assert after is reaching_second  # x += 1 changes x but is not a new value from elsewhere
    assert model.next_binding(x, reaching_second.order) is None  # a for target is not "x = …"
    assert model.rebound_between({x}, first, second)
    assert not model.rebound_between({x}, second, second + 1)


def test_binding_at_a_statement() -> None:
    module = cst.parse_module("a, b = pair()\nc = 3\n")
    model = build_model(module)
    tuple_assign, plain = (statement.body[0] for statement in module.body)  # type: ignore[attr-defined]
    binding = model.binding_at(tuple_assign)
    assert binding is not None and binding.var == Var("a", MODULE) and binding.value is None
    binding = model.binding_at(plain)
    assert binding is not None and binding.var == Var("c", MODULE) and model.value(binding.value) == 3
    assert model.binding_at(module) is None


def test_flows_follow_assignments_returns_and_tuple_unpacking() -> None:
    model = _model("""
        def make():
            aug = Compose([Flip()])
            return aug, size
        train_aug, train_size = make()
        images = load()
        batch = images / 255
        gen = flow(batch, augment=train_aug)
    """)
    assert model.flows_into(Var("images", MODULE), Var("gen", MODULE))
    assert model.flows_into(Var("aug", Scope("make", "function")), Var("train_aug", MODULE))
    assert not model.flows_into(Var("aug", Scope("make", "function")), Var("train_size", MODULE))
    assert not model.flows_into(Var("gen", MODULE), Var("images", MODULE))
    assert Var("images", MODULE) in model.computed_from(Var("batch", MODULE))


def test_calls_within_a_node_in_source_order() -> None:
    module = cst.parse_module("model.fit(gen.flow(x, y), callbacks=[EarlyStopping(), CSVLogger(path())])\n")
    model = build_model(module)
    (fit,) = [c for c in model.calls if c.method == "fit"]
    inner = [c.method or cst.Module([]).code_for_node(c.node.func) for c in model.calls_within(fit.node)]
    assert inner == ["fit", "flow", "EarlyStopping", "CSVLogger", "path"]
    assert model.call_site(fit.node) is fit


def test_folded_values_and_the_typed_unknown() -> None:
    model = _model("""
        ROT = 20
        SCALE = 1 / 255.0
        n = len(data)
    """)
    assert model.value(cst.parse_expression("ROT // 2")) == 10
    assert model.value(cst.parse_expression("SCALE")) == pytest.approx(1 / 255)
    unknown = model.value(cst.parse_expression("n"))
    assert unknown is UNKNOWN and isinstance(unknown, Unknown) and not unknown


def test_names_bound_together_from_a_display_each_get_their_element() -> None:
    model = _model("""
        WIDTH, HEIGHT = 380, 300
        [lo, hi] = (0.9, 1.1)
        a, *rest = 1, 2, 3
        x, y = pair
        swap_a, swap_b = 1, 2
        swap_a, swap_b = swap_b, swap_a
    """)
    assert model.value(cst.parse_expression("(WIDTH, HEIGHT, lo, hi)")) == (380, 300, 0.9, 1.1)
    for unknown in ("a", "rest", "x", "y", "swap_a", "swap_b"):  # starred, not a display, bound twice
        assert model.value(cst.parse_expression(unknown)) is UNKNOWN, unknown


def test_a_tuple_a_method_returns_is_unpacked_element_by_element() -> None:
    model = _model("""
        class Data:
            def load(self):
                train_loader = make(train_tf)
                val_loader = make(val_tf)
                return train_loader, val_loader
        train_dl, val_dl = Data().load()
    """)
    reached = {var.name for var in model.reaches({Var("val_dl", MODULE)})}
    assert "val_tf" in reached and "train_tf" not in reached


def test_star_imports_of_known_modules_resolve() -> None:
    model = _model("""
        from tensorflow.keras.layers import *
        from model import *
        aug = RandomFlip("horizontal")
        net = build_net()
    """)
    qualnames = {c.qualname for c in model.calls}
    assert "keras.layers.RandomFlip" in qualnames
    assert None in qualnames  # build_net from a local star import stays unknown


def test_the_model_and_the_facts_are_frozen() -> None:
    facts = extract(cst.parse_module(
        "import albumentations as A\ntrain_aug = A.Compose([A.HorizontalFlip()])\nmodel.fit(gen(train_aug))\n"
    ))
    (pipeline,) = facts.pipelines
    assert pipeline.roles == {"train"} and facts.pipeline_of(pipeline.transforms[0]) is pipeline
    for value, field in ((facts, "pipelines"), (facts.model, "calls"), (pipeline, "roles"), (facts.model.calls[0], "index")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, None)


class _Subscripts(SyntaxHooks):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.seen.append("subscript")

    def visit_Call(self, node: cst.Call) -> None:
        self.seen.append("call")  # the scan has visit_Call too: both run


def test_syntax_hooks_run_in_the_same_walk_without_changing_the_model() -> None:
    code = "import a.b as c\nx = f(y[0])\nfor i in z:\n    g(i)\n"
    plain = build_model(cst.parse_module(code))
    hooks = _Subscripts()
    hooked = build_model(cst.parse_module(code), (hooks,))
    assert hooks.seen == ["call", "subscript", "call"]
    assert [c.index for c in hooked.calls] == [c.index for c in plain.calls]
    assert hooked.bindings.keys() == plain.bindings.keys()
    assert hooked.imports.bindings == plain.imports.bindings == {"c": "a.b"}


def test_assignment_and_call_indexes_share_one_order():
    facts = extract(cst.parse_module(
        "model.compile('adam', 'mse')\n"      # call 0
        "base.trainable = True\n"             # before call 1
        "model.fit(x, y, epochs=2)\n"         # call 1
        "layer.trainable = g()\n"             # before call 2 (g() is call 2)
    ))
    compile_call, fit_call, g_call = facts.model.calls
    first, second = facts.model.attribute_assignments
    assert compile_call.index < first.index <= fit_call.index  # compile, then the change, then fit
    assert fit_call.index < second.index <= g_call.index


def test_attribute_assignment_records_enclosing_conditions():
    facts = extract(cst.parse_module(
        "for layer in base.layers:\n    if isinstance(layer, BN):\n        pass\n    else:\n        layer.trainable = True\n"
    ))
    (assignment,) = facts.model.attribute_assignments
    ((test, in_else),) = assignment.conditions
    assert facts.model.module.code_for_node(test) == "isinstance(layer, BN)" and in_else


def test_parenthesized_tuples_subscripts_and_attribute_reads_are_collected():
    hooks = ParenthesizedTuples()
    facts = extract(cst.parse_module(
        "def f():\n    gen = g()\n    print(gen.filenames)\n    return (a, b)\n"
        "(c, d) = f()\nfor (i, x) in y:\n    pass\nsub['label'] = preds\n"
    ), (hooks,))
    assert sorted(context for _, context in hooks.found) == ["assign", "for", "return"]
    assert [s.target for s in facts.model.subscript_assignments] == ["sub"]
    assert Var("gen.filenames", Scope("f", "function")) in facts.model.attribute_reads


@pytest.mark.parametrize(("code", "expected"), [
    ("gen = ImageDataGenerator(vertical_flip=True)\n", "keras.preprocessing.image.ImageDataGenerator"),
    ("aug = albumentations.Flip(p=0.5)\n", "albumentations.Flip"),
    ("class ImageDataGenerator:\n    pass\ngen = ImageDataGenerator()\n", None),  # the module's own class
    ("from model import *\ngen = ImageDataGenerator()\n", None),  # a local star import may bind it
    ("with open(p) as ImageDataGenerator:\n    pass\ngen = ImageDataGenerator()\n", None),
    ("def f(albumentations):\n    return albumentations.Flip()\n", None),  # a parameter
    ("aug = A.Flip()\n", None),  # an alias is not a library's name
])
def test_library_names_used_without_an_import_resolve_when_nothing_else_binds_them(code: str, expected: str | None) -> None:
    assert _model(code).calls[0].qualname == expected


def test_dict_displays_and_dict_calls_fold() -> None:
    model = _model("ARGS = dict(rotation_range=20, vertical_flip=True)\n")
    assert model.value(cst.parse_expression("{'x': (0.9, 1.1), 'y': 1}")) == {"x": (0.9, 1.1), "y": 1}
    assert model.value(cst.parse_expression("ARGS")) == {"rotation_range": 20, "vertical_flip": True}
    assert model.value(cst.parse_expression("{**ARGS, 'zoom_range': 0.1}")) is UNKNOWN
    assert model.value(cst.parse_expression("dict(ARGS, zoom_range=0.1)")) is UNKNOWN


def test_attribute_names_keywords_comprehension_targets_and_counts_are_not_reads() -> None:
    model = _model("""
        y = load_labels()
        f = open_weights()
        files = list_files()
        total = len([f for f in files])
        gen = datagen.flow(x=images, y=None)
        ds = dataset.map(parse)
        map = other()
    """)
    gen, ds, total = Var("gen", MODULE), Var("ds", MODULE), Var("total", MODULE)
    assert model.flows_into(Var("images", MODULE), gen)
    assert not model.flows_into(Var("y", MODULE), gen), "y= names a parameter"
    assert not model.flows_into(Var("map", MODULE), ds), ".map is read as dataset.map only"
    assert not model.flows_into(Var("f", MODULE), total), "the comprehension's f is its own"
    assert not model.flows_into(Var("files", MODULE), total), "len() passes a number on, not the files"


def test_unpacking_a_call_follows_the_arguments_behind_each_element() -> None:
    model = _model("""
        def make(train_gen, valid_gen):
            train_flow = train_gen.flow(x)
            valid_flow = valid_gen.flow(v)
            return train_flow, valid_flow
        train_aug = Augmenting()
        plain = Plain()
        tr, va = make(train_aug, valid_gen=plain)
    """)
    assert model.flows_into(Var("train_aug", MODULE), Var("tr", MODULE))
    assert model.flows_into(Var("plain", MODULE), Var("va", MODULE))
    assert not model.flows_into(Var("train_aug", MODULE), Var("va", MODULE))
    assert not model.flows_into(Var("plain", MODULE), Var("tr", MODULE))


def test_members_of_the_module_classes_carry_what_their_methods_return_and_set() -> None:
    model = _model("""
        class Loader:
            def process(self, image):
                return image / 255
            def make(self, files):
                ds = read(files)
                return ds.map(self.process)
        class Trainer:
            def __init__(self):
                self.model = self.build()
            def build(self):
                base = Backbone()
                return base
        loader = Loader()
        train_ds = loader.make(paths)
        trainer = Trainer()
        result = trainer.model
    """)
    assert model.flows_into(Var("image", Scope("process", "function", "Loader")), Var("train_ds", MODULE))
    assert model.flows_into(Var("base", Scope("build", "function", "Trainer")), Var("result", MODULE))


def test_a_rebinding_computed_from_the_old_value_keeps_the_flow() -> None:
    model = _model("""
        x = load() / 255
        x, x_val = split(shuffle(x))
        model.fit(x)
        x = other()
        model.predict(x)
    """)
    x = Var("x", MODULE)
    fit, predict = _call(model, "model.fit"), _call(model, "model.predict")
    assert not model.rebound_between({x}, 0, fit)
    assert model.rebound_between({x}, fit, predict)


def _values_of_last_call(source: str) -> list[object]:
    model = build_model(cst.parse_module(textwrap.dedent(source)))
    return [model.value(arg.value) for arg in model.calls[-1].node.args]


def test_configuration_class_attributes_fold() -> None:
    assert _values_of_last_call("""
        class CFG:
            model_name = "tf_efficientnet_b4_ns"
            size: int = 384
        create(CFG.model_name, CFG.size, CFG.missing)
    """) == ["tf_efficientnet_b4_ns", 384, UNKNOWN]
    assert _values_of_last_call("""
        class Config:
            def __init__(self):
                self.arch = "vit_base_patch16_224"
                if big:
                    self.size = 512
        cfg = Config()
        create(cfg.arch, cfg.size)
    """) == ["vit_base_patch16_224", UNKNOWN]


def test_a_configuration_attribute_assigned_elsewhere_does_not_fold() -> None:
    assert _values_of_last_call("""
        class CFG:
            epochs = 10
        CFG.epochs = 3
        cfg = CFG()
        cfg.lr = 0.1
        create(CFG.epochs, cfg.lr)
    """) == [UNKNOWN, UNKNOWN]


def test_a_configuration_instance_made_in_a_function_folds_where_its_name_is_passed() -> None:
    model = build_model(cst.parse_module(textwrap.dedent("""
        class Config:
            def __init__(self):
                self.arch = "vit_base_patch32_384"
        class Net:
            def __init__(self, CFG):
                self.net = create(CFG.arch, other.arch)
        def main():
            CFG = Config()
            other = Other()
            Net(CFG)
    """)))
    create = next(call for call in model.calls if isinstance(call.node.func, cst.Name) and call.node.func.value == "create")
    assert [model.value(arg.value) for arg in create.node.args] == ["vit_base_patch32_384", UNKNOWN]


def test_a_call_in_a_branch_whose_test_folds_cannot_run() -> None:
    model = _model("""
        custom_weight = True
        def build():
            if (not custom_weight):
                base.load_weights('a.h5')
            else:
                base.load_weights('b.h5')
            if flag:
                base.load_weights('c.h5')
    """)
    dead, alive, unknown = [c for c in model.calls if c.method == "load_weights"]
    assert model.never_runs(dead) and not model.never_runs(alive) and not model.never_runs(unknown)
    assert model.value(cst.parse_expression("not custom_weight")) is False
    assert model.value(cst.parse_expression("not flag")) is UNKNOWN


def test_a_branch_on_a_parameter_runs_as_its_callers_decide() -> None:
    model = _model("""
        def prep(image, scale=False):
            if scale:
                image = image / 255.0
            return image
        def load(path, rgb=True):
            if rgb:
                return read(path)
        ds = ds.map(prep)
        a = load('x', rgb=False)
        b = load('y', rgb=flag)
    """)
    ((_, divide),) = [(a, a.node) for a in model.arithmetic]
    assert model.never_runs(divide)  # only handed to map(): its default, scale=False
    read = next(c for c in model.calls if cst.Module([]).code_for_node(c.node.func) == "read")
    assert not model.never_runs(read)  # one call passes an unknown value


def test_a_local_bound_once_folds_where_it_is_read() -> None:
    model = _model("""
        rescale = 2
        def data():
            rescale = 1.0 / 255
            return gen(rescale=rescale)
        def other(rescale):
            return gen(rescale=rescale)
        def twice():
            size = 1
            size = 2
            return size
    """)
    name = cst.Name("rescale")
    assert model.value_in(name, Scope("data", "function")) == pytest.approx(1 / 255)
    assert model.value_in(name, Scope("other", "function")) is UNKNOWN  # a parameter shadows the module's name
    assert model.value_in(cst.Name("size"), Scope("twice", "function")) is UNKNOWN
    assert model.value_in(name, MODULE) == 2


def test_a_sub_module_applied_in_forward_is_the_one_init_built() -> None:
    model = _model("""
        class Net(nn.Module):
            def __init__(self):
                self.encoder = resnet50(pretrained=True)
            def forward(self, x):
                x = x / 255.0
                return self.encoder(x)
    """)
    built = Var("self.encoder", Scope("__init__", "function", "Net"))
    runs = list(model.consumers(frozenset({built})))
    assert [cst.Module([]).code_for_node(call.node) for call, _ in runs] == ["self.encoder(x)"]
    assert Var("x", Scope("forward", "function", "Net")) in runs[0][1]


def test_an_array_filled_by_position_holds_what_was_stored() -> None:
    model = _model("""
        x_train = np.empty((n, 64, 64, 3))
        index_of = {}
        for i, path in enumerate(paths):
            x_train[i] = cv2.resize(cv2.imread(path), (64, 64))
            index_of[path] = i
        table["label"] = preds
    """)
    imread = next(c for c in model.calls if cst.Module([]).code_for_node(c.node.func) == "cv2.imread")
    assert model.holders(imread) == {Var("x_train", MODULE)}
    assert Var("path", MODULE) in model.reaches({Var("x_train", MODULE)})
    assert Var("i", MODULE) not in model.reaches({Var("index_of", MODULE)})  # bookkeeping: no call stored
    assert Var("preds", MODULE) not in model.reaches({Var("table", MODULE)})  # a named column


def test_methods_run_on_instances_of_the_module_classes_are_run_from_module() -> None:
    model = _model("""
        class Trainer:
            def fit(self):
                for epoch in range(3):
                    self.train_one(epoch)
            def train_one(self, epoch):
                pass
            def unused(self):
                pass
        def helper():
            pass
        trainer = Trainer()
        trainer.fit()
        other.unused()
    """)
    assert model.run_from_module == {"fit", "train_one"}  # other.unused(): not a Trainer


def test_a_string_key_reads_its_entry_of_a_dict_display() -> None:
    model = _model("""
        datasets = {"train": Data(train_df, tf=train_tf), "val": Data(val_df["path"], tf=valid_tf)}
        loaders = {"train": Loader(datasets["train"]), "val": Loader(datasets["val"], size=n)}
        built = {x: Loader(x) for x in ["train", "val"]}
        for batch in tqdm(loaders["val"]):
            pass
    """)
    loop = next(node for node in model.module.body if isinstance(node, cst.For))
    names = {var.name for var in model.names_through_keys(loop.iter, MODULE)}
    assert names == {"tqdm", "Loader", "n", "Data", "val_df", "valid_tf"}  # not train_tf, not the dicts
    built = cst.parse_expression('built["val"]')
    assert isinstance(built, cst.Subscript) and model.keyed_entry(built, MODULE) is None  # a comprehension


def test_instantiating_a_module_class_passes_its_arguments_to_init() -> None:
    model = _model("""
        class Trainer:
            def __init__(self, net, loader, epochs=3):
                self.loader = loader
            def run(self):
                for x in self.loader:
                    pass
        trainer = Trainer(model, train_loader, epochs=5)
    """)
    inside = Scope("__init__", "function", "Trainer")
    assert model.passed_to(Var("loader", inside)) == {Var("train_loader", MODULE)}
    assert model.passed_to(Var("epochs", inside)) == set()  # a constant: no names
    assert Var("train_loader", MODULE) in model.reaches_through_callers({Var("loader", inside)})


def test_methods_of_two_classes_are_two_scopes() -> None:
    model = _model("""
        class Data:
            def __init__(self, df, transforms):
                self.size = len(df)
                self.transforms = transforms
        class Module:
            def __init__(self, train_tf, valid_tf):
                self.train_tf = train_tf
                self.train = Data(train_df, train_tf)
            @property
            def size(self):
                return self.train.size
        Module(train_aug, valid_aug)
    """)
    data_init, module_init = Scope("__init__", "function", "Data"), Scope("__init__", "function", "Module")
    assert model.is_local("transforms", data_init) and not model.is_local("transforms", module_init)
    assert model.passed_to(Var("train_tf", module_init)) == {Var("train_aug", MODULE)}
    # self.size in Data is Data's own member, not Module's size property (which reads train_tf)
    assert Var("train_aug", MODULE) not in model.reaches_through_callers({Var("self.size", data_init)})


def test_calling_a_model_class_instance_passes_its_arguments_to_forward() -> None:
    model = _model("""
        class Net(nn.Module):
            def __init__(self):
                self.body = resnet18(pretrained=True)
            def forward(self, images):
                return self.body(images)
        class Loop:
            def __init__(self, model, loader):
                self.model = model
                self.loader = loader
            def run(self):
                for images in self.loader:
                    self.model(images)
        Loop(Net(), train_loader).run()
    """)
    forward = Scope("forward", "function", "Net")
    assert model.passed_to(Var("images", forward)) == {Var("images", Scope("run", "function", "Loop"))}
    assert Var("train_loader", MODULE) in model.reaches_through_callers({Var("images", forward)})


def test_assigned_from_follows_the_binding_in_force_and_not_a_class_s_stored_members() -> None:
    model = _model("""
        class Leaves:
            def __init__(self, df, tf):
                self.tf = tf
        valid_df = df[:10]
        train_ds = Leaves(train_df, train_tf)
        valid_ds = Leaves(valid_df, valid_tf)
        valid_loader = DataLoader(valid_ds)
        train_part, val_part = random_split(train_ds, [8, 2])
        val_loader = DataLoader(val_part)
        valid_df = train_df
    """)
    at = [c.index for c in model.calls if cst.Module([]).code_for_node(c.node.func) == "DataLoader"][0]
    found = {var.name for var in model.assigned_from({Var("valid_loader", MODULE)}, at + 1)}
    assert {"valid_ds", "Leaves", "valid_df", "valid_tf"} <= found
    assert not found & {"train_ds", "train_tf", "train_df"}  # the later valid_df = train_df is not in force
    split = {var.name for var in model.assigned_from({Var("val_loader", MODULE)}, len(model.calls))}
    assert "train_ds" in split  # a tuple target: the statement's value


def test_builtins_are_builtins_only_where_not_rebound() -> None:
    model = _model("""
        from tools import iter
        x = next(y)
    """)
    assert model.is_builtin("next") and model.is_builtin("len")
    assert not model.is_builtin("iter") and not model.is_builtin("x")


def test_branches_to_lists_the_ifs_whose_body_or_else_hold_a_node() -> None:
    model = _model("""
        def build(flag, mode):
            if flag:
                x = f(1)
            else:
                y = g(2) if mode else h(3)
            z = k(f(0) if mode else 0)
    """)
    calls = {cst.Module([]).code_for_node(c.node): c.node for c in model.calls}
    function = model.functions["build"]
    assert [(type(branch).__name__, in_body) for branch, in_body in model.branches_to(calls["f(1)"]) or ()] == [("If", True)]
    assert [(type(branch).__name__, in_body) for branch, in_body in model.branches_to(calls["h(3)"], function) or ()] == [
        ("If", False), ("IfExp", False)]
    assert model.branches_to(calls["k(f(0) if mode else 0)"], function) == []
    assert model.branches_to(calls["f(1)"], calls["g(2)"]) is None  # not inside


def test_items_of_a_dict_or_tuple_nothing_stores_into_fold() -> None:
    model = _model("""
        params = {"model": "resnet18", "folds": 3}
        SIZES = (224, 256)
        changed = {"model": "a"}
        changed["model"] = "b"
        updated = {"lr": 1e-3}
        updated.update(lr=1e-2)
    """)
    assert model.value(cst.parse_expression('params["model"]')) == "resnet18"
    assert model.value(cst.parse_expression("SIZES[-1]")) == 256
    assert model.value(cst.parse_expression('params["missing"]')) is UNKNOWN
    assert model.value(cst.parse_expression("SIZES[5]")) is UNKNOWN
    assert model.value(cst.parse_expression('changed["model"]')) is UNKNOWN
    assert model.value(cst.parse_expression('updated["lr"]')) is UNKNOWN


def test_arguments_for_a_class_init_come_from_the_calls_of_the_class() -> None:
    model = _model("""
        class Classifier(nn.Module):
            def __init__(self, arch, n_class, pretrained=False):
                super().__init__()
                self.model = timm.create_model(arch, pretrained=True)
        first = Classifier("resnet18", n_class=1)
        second = Classifier(arch="efficientnet_b0", n_class=1)
    """)
    init = model.function_of(Scope("__init__", "function", "Classifier"))
    assert init is not None
    assert [value for _, value in model.arguments_for(init, "arch")] == ["resnet18", "efficientnet_b0"]
    assert [value for _, value in model.arguments_for(init, "pretrained")] == [False, False]


def test_a_branch_on_a_parameter_runs_for_a_call_as_its_argument_decides() -> None:
    model = _model("""
        def get_loader(df, mode, train=True):
            a = f(df) if mode == 'train' else g(df)
            if mode in ('valid', 'val'):
                b = h(df)
            if not train:
                c = k(df)
            return a
        get_loader(x, mode='valid', train=False)
        get_loader(x, 'train')
        get_loader(x, mode)
    """)
    function = model.function_of(Scope("get_loader", "function", ""))
    assert function is not None
    valid, train, unknown = [c for c in model.calls if cst.Module([]).code_for_node(c.node.func) == "get_loader"]
    inner = {name: next(c.node for c in model.calls if cst.Module([]).code_for_node(c.node.func) == name) for name in "fghk"}
    assert [model.runs_for_call(inner[n], function, valid) for n in "fghk"] == [False, True, True, True]
    assert [model.runs_for_call(inner[n], function, train) for n in "fghk"] == [True, False, False, False]
    assert [model.runs_for_call(inner[n], function, unknown) for n in "fghk"] == [True, True, True, False]


def test_options_of_an_argparse_namespace_fold_to_their_defaults() -> None:
    model = _model("""
        import argparse
        def get_args():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=100)
            parser.add_argument("--learning-rate", dest="lr", default=1e-3)
            parser.add_argument("--freeze", action="store_true")
            parser.add_argument("--arch", default="resnet50")
            parser.add_argument("--size")
            parser.add_argument("data_dir", default="data")
            return parser.parse_args()
        args = get_args()
        args.arch = "vgg16"
        other = make_namespace()
    """)
    assert model.value(cst.parse_expression("args.epochs")) == 100
    assert model.value(cst.parse_expression("args.lr")) == 1e-3
    assert model.value(cst.parse_expression("args.freeze")) is False
    assert model.value(cst.parse_expression("args.data_dir")) == "data"
    assert model.value(cst.parse_expression("args.arch")) is UNKNOWN  # set by the script itself
    assert model.value(cst.parse_expression("args.size")) is UNKNOWN  # no default
    assert model.value(cst.parse_expression("other.epochs")) is UNKNOWN


def test_a_namespace_bound_to_anything_else_too_does_not_fold() -> None:
    model = _model("""
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", default=10)
        args = parser.parse_args()
        if debug:
            args = Namespace(epochs=1)
    """)
    assert model.value(cst.parse_expression("args.epochs")) is UNKNOWN


def test_module_level_code_reads_what_was_bound_before_it() -> None:
    # A notebook: `labels` builds the table, and a later cell binds `labels` to a batch of the
    # training generator; the table (and what is made from it) does not reach that generator.
    model = _model("""
        labels = []
        for path in paths:
            labels.append(label_of(path))
        table = pd.DataFrame({"path": paths, "label": labels})
        train_gen = datagen.flow_from_dataframe(table)
        images, labels = next(train_gen)
        total = 0
        for x in batches:
            total = total + x
            later = step(total)
            x = reload(later)
        after = summary(labels)
    """)
    table = {var.name for var in model.reaches({Var("table", MODULE)})}
    assert "label_of" in table and "path" in table and "train_gen" not in table
    # Reached with no place to read it at: every binding, the later one included.
    assert "train_gen" in {var.name for var in model.reaches({Var("labels", MODULE)})}
    assert "train_gen" in {var.name for var in model.reaches({Var("after", MODULE)})}
    # A loop's body reads its own later bindings (the next pass): x from reload and from batches.
    loop = {var.name for var in model.reaches({Var("total", MODULE)})}
    assert {"batches", "reload", "step"} <= loop
