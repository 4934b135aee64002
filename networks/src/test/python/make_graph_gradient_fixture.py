"""Makes the fixture of GraphTrainingTest with Debian's python3-torch: one training step of a small
layer graph with the operations of Dynamic World, computed by PyTorch.

Run from the repository root: /usr/bin/python3 networks/src/test/python/make_graph_gradient_fixture.py
Writes networks/src/test/resources/dev/landcover/networks/parity/graph/: graph.json (the graph in
LayerGraph's JSON), weights.npz (<node>.<tensor>, PyTorch layouts) and data.npz: the input x
(2 x 3 x 9 x 9), r (the weights of the loss sum(logits * r)), PyTorch's logits in training mode,
the gradient of the loss for every trainable tensor (grad:<name>) and the moving statistics after
the step (after:<node>.mean, after:<node>.variance).

The graph: conv 3x3 -> batch norm -> Mish (softplus, tanh, multiply) -> depthwise conv 3x3 -> batch
norm -> sigmoid; Mish's output resized with an antialiased triangle kernel to int(H / 2) x int(W / 2)
and back with half-pixel bilinear, added to the sigmoid, concatenated with Mish's output,
L2-normalized over channels, and a 1 x 1 convolution to 4 logits. Batch norm in training mode is
Keras's: batch mean and biased variance; moving = momentum * moving + (1 - momentum) * batch.
The antialiased resize is PyTorch's interpolate(mode="bilinear", antialias=True), an independent
implementation of the triangle filter (TensorFlow's scale_and_translate is what the Java side
follows).
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, "..", "resources", "dev", "landcover", "networks", "parity", "graph")
EPS = 1e-3
MOMENTUM = 0.9


def node(name, op, inputs, **attributes):
    return {"name": name, "op": op, "inputs": inputs, "attributes": attributes}


def conv(name, inp, cin, cout, k, pad, groups, bias):
    return node(name, "conv2d", [inp], **{"in": cin, "out": cout, "kernel": [k, k], "stride": [1, 1],
                                          "padding": [pad, pad], "dilation": [1, 1], "groups": groups,
                                          "bias": bias})


def main():
    g = torch.Generator().manual_seed(5)
    nodes = [
        node("x", "input", [], bands=3),
        conv("c1", "x", 3, 6, 3, 1, 1, True),
        node("bn1", "batchnorm", ["c1"], channels=6, epsilon=EPS, momentum=MOMENTUM),
        node("sp", "softplus", ["bn1"]),
        node("th", "tanh", ["sp"]),
        node("mish", "multiply", ["bn1", "th"]),
        conv("dw", "mish", 6, 6, 3, 1, 6, False),
        node("bn2", "batchnorm", ["dw"], channels=6, epsilon=EPS, momentum=MOMENTUM),
        node("sg", "sigmoid", ["bn2"]),
        node("shape", "shape", ["x"]),
        node("hw", "slice", ["shape"], start=1, stop=3),
        node("half", "divide", ["hw"], constant=2),
        node("halfint", "cast", ["half"], to="int"),
        node("down", "resize", ["mish", "halfint"], method="bilinear", antialias=True),
        node("up", "resize", ["down", "hw"], method="bilinear", antialias=False),
        node("sum", "add", ["up", "sg"]),
        node("cat", "concat", ["sum", "mish"], axis=1),
        node("l2", "l2normalize", ["cat"], axis=1, epsilon=1e-12),
        conv("head", "l2", 12, 4, 1, 0, 1, True),
    ]
    graph = {"bands": 3, "classes": 4, "output": "head", "nodes": nodes}

    def rnd(*shape, scale=1.0, offset=0.0):
        return (torch.randn(shape, generator=g) * scale + offset).float()

    w = {
        "c1.weight": rnd(6, 3, 3, 3, scale=0.4), "c1.bias": rnd(6, scale=0.1),
        "bn1.gamma": rnd(6, scale=0.2, offset=1), "bn1.beta": rnd(6, scale=0.2),
        "bn1.mean": rnd(6, scale=0.3), "bn1.variance": rnd(6, scale=0.2).abs() + 0.5,
        "dw.weight": rnd(6, 1, 3, 3, scale=0.4),
        "bn2.gamma": rnd(6, scale=0.2, offset=1), "bn2.beta": rnd(6, scale=0.2),
        "bn2.mean": rnd(6, scale=0.3), "bn2.variance": rnd(6, scale=0.2).abs() + 0.5,
        "head.weight": rnd(4, 12, 1, 1, scale=0.5), "head.bias": rnd(4, scale=0.1),
    }
    x = rnd(2, 3, 9, 9)
    r = rnd(2, 4, 9, 9)
    p = {k: v.clone().requires_grad_(not (k.endswith(".mean") or k.endswith(".variance"))) for k, v in w.items()}
    after = {}

    def bn(t, name):
        mean = t.mean(dim=(0, 2, 3))
        var = t.var(dim=(0, 2, 3), unbiased=False)
        after[name + ".mean"] = MOMENTUM * w[name + ".mean"] + (1 - MOMENTUM) * mean.detach()
        after[name + ".variance"] = MOMENTUM * w[name + ".variance"] + (1 - MOMENTUM) * var.detach()
        return F.batch_norm(t, None, None, p[name + ".gamma"], p[name + ".beta"], training=True, eps=EPS)

    c1 = F.conv2d(x, p["c1.weight"], p["c1.bias"], padding=1)
    b1 = bn(c1, "bn1")
    mish = b1 * torch.tanh(F.softplus(b1))
    dw = F.conv2d(mish, p["dw.weight"], None, padding=1, groups=6)
    sg = torch.sigmoid(bn(dw, "bn2"))
    down = F.interpolate(mish, size=(4, 4), mode="bilinear", align_corners=False, antialias=True)
    up = F.interpolate(down, size=(9, 9), mode="bilinear", align_corners=False)
    cat = torch.cat([up + sg, mish], dim=1)
    l2 = cat / torch.sqrt(torch.clamp((cat * cat).sum(dim=1, keepdim=True), min=1e-12))
    logits = F.conv2d(l2, p["head.weight"], p["head.bias"])
    (logits * r).sum().backward()

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "graph.json"), "w") as f:
        json.dump(graph, f, indent=1)
    np.savez(os.path.join(OUT, "weights.npz"), **{k: v.numpy() for k, v in w.items()})
    data = {"x": x.numpy(), "r": r.numpy(), "logits": logits.detach().numpy()}
    for k, v in p.items():
        if v.requires_grad:
            data["grad:" + k] = v.grad.numpy()
    for k, v in after.items():
        data["after:" + k] = v.numpy()
    np.savez(os.path.join(OUT, "data.npz"), **data)
    print("graph step", tuple(x.shape), "->", tuple(logits.shape), "tensors", len(w))


if __name__ == "__main__":
    main()
