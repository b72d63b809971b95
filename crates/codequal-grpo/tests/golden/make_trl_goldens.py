"""TRL's GRPO loss, gradients and optimizer steps on a tiny model, for
codequal-grpo's `tests/trl_conformance.rs`.

Usage: python make_trl_goldens.py GOLDEN_DIR

GOLDEN_DIR is the directory `make_tiny_models.py` wrote (the tiny random
Qwen2 checkpoints and their tokenizer); this script writes GOLDEN_DIR/trl/.
Nothing is downloaded and nothing here computes the GRPO objective itself:
every expected number comes out of TRL 1.16.0's own code (pinned in
xtask/requirements/trl.txt), on CPU in fp32.

Two kinds of cases:

- `loss` cases construct a real `trl.GRPOTrainer` (from the checkpoint path,
  as a user would) and call its `compute_loss(model, inputs)` with a
  hand-built batch in the layout `_generate_and_score_completions` returns:
  prompt_ids / prompt_mask (left padded), completion_ids / completion_mask
  (right padded; some completions end in EOS, others are cut at
  max_completion_length), advantages, num_items_in_batch and, where the case
  needs them, old_per_token_logps (a perturbed copy of the current log-probs,
  so the ratio is not 1 and clipping is active) and ref_per_token_logps.
  `loss.backward()` as transformers' Trainer does; recorded: the loss of each
  micro-batch, the accumulated gradient of every parameter, the metrics TRL
  logged (`trainer._metrics["train"]`) and TRL's own per-token log-probs.

- `train` cases run `trainer.train()` for a few optimizer steps with only
  the generation replaced: `_generate_and_score_completions` returns fixed
  completions (and, when beta != 0, reference log-probs computed by TRL's
  `_get_per_token_logps_and_entropies` on its reference model, as the
  original method does). Everything else is TRL's and transformers': the
  shuffle and split into micro-batches, loss scaling for gradient
  accumulation, the optimizer transformers builds (AdamW, weight decay
  except on biases and norms), clip_grad_norm_, and the learning-rate
  schedule. Recorded: the micro-batches in the order they were used, the
  weights after every optimizer step, grad_norm and learning_rate as logged.

Outputs, per case, under GOLDEN_DIR/trl/<case>/: case.json (config, inputs,
expected losses and metrics), and safetensors files for tensors.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import ClassVar

import torch
import transformers
import trl
from datasets import Dataset
from safetensors.torch import save_file
from transformers import AutoTokenizer, PrinterCallback, TrainerCallback
from trl import GRPOConfig, GRPOTrainer
from trl.trainer import grpo_trainer

TEMPERATURE = 0.7
MAX_COMPLETION_LENGTH = 8


def dummy_reward(completions, **kwargs):
    """Never called: generation and scoring are replaced by fixed inputs."""
    return [0.0] * len(completions)


def make_config(out: Path, **overrides) -> GRPOConfig:
    # CPU, fp32 (TRL's GRPOConfig defaults bf16 and gradient checkpointing
    # on), eager attention as in make_tiny_models.py.
    args = {
        "output_dir": str(out),
        "use_cpu": True,
        "bf16": False,
        "fp16": False,
        "gradient_checkpointing": False,
        "report_to": "none",
        "save_strategy": "no",
        "logging_steps": 1,
        "disable_tqdm": True,
        "seed": 0,
        "data_seed": 0,
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "num_generations": 4,
        "max_completion_length": MAX_COMPLETION_LENGTH,
        "temperature": TEMPERATURE,
        "model_init_kwargs": {"dtype": torch.float32, "attn_implementation": "eager"},
        "dataloader_num_workers": 0,
    }
    args.update(overrides)
    return GRPOConfig(**args)


def make_trainer(model_dir: Path, tok, args: GRPOConfig, cls=GRPOTrainer, callbacks=None):
    dataset = Dataset.from_dict({"prompt": [f"prompt {i}" for i in range(64)]})
    trainer = cls(
        model=str(model_dir),
        reward_funcs=dummy_reward,
        args=args,
        train_dataset=dataset,
        processing_class=tok,
        callbacks=callbacks,
    )
    trainer.remove_callback(PrinterCallback)
    return trainer


def pad_left(rows, value):
    width = max(len(r) for r in rows)
    ids = torch.tensor([[value] * (width - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    return ids, mask


def pad_right(rows, value, width=None):
    width = width or max(len(r) for r in rows)
    ids = torch.tensor([r + [value] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    return ids, mask


class Batches:
    """Fixed prompts and completions: random ids from the tiny vocabulary,
    excluding special tokens; completions either end in EOS (shorter than
    max_completion_length) or are cut at max_completion_length without one."""

    def __init__(self, vocab: int, eos: int, pad: int, seed: int):
        self.gen = torch.Generator().manual_seed(seed)
        self.vocab, self.eos, self.pad = vocab, eos, pad

    def ids(self, n):
        return torch.randint(4, self.vocab, (n,), generator=self.gen).tolist()

    def batch(self, prompt_lens, completion_lens):
        prompts = [self.ids(n) for n in prompt_lens]
        completions = []
        for n in completion_lens:
            if n < MAX_COMPLETION_LENGTH:
                completions.append(self.ids(n - 1) + [self.eos])
            else:
                completions.append(self.ids(MAX_COMPLETION_LENGTH))
        return prompts, completions

    def advantages(self, n):
        # Group-normalised like TRL's (r - mean) / (std + 1e-4) on fixed rewards.
        r = torch.rand(n, generator=self.gen) * 2.0
        return ((r - r.mean()) / (r.std() + 1e-4)).float()

    def noise(self, shape, scale):
        return scale * torch.randn(shape, generator=self.gen)


def tensor_inputs(prompts, completions, advantages, pad, width):
    prompt_ids, prompt_mask = pad_left(prompts, pad)
    completion_ids, completion_mask = pad_right(completions, pad, width)
    return {
        "prompt_ids": prompt_ids,
        "prompt_mask": prompt_mask,
        "completion_ids": completion_ids,
        "completion_mask": completion_mask,
        "advantages": advantages,
    }


@torch.no_grad()
def trl_logps(trainer, model, inputs):
    """TRL's own per-token log-probs (and entropies) of a batch."""
    input_ids = torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], dim=1)
    attention_mask = torch.cat([inputs["prompt_mask"], inputs["completion_mask"]], dim=1)
    logps, entropies, _ = trainer._get_per_token_logps_and_entropies(
        model,
        input_ids,
        attention_mask,
        inputs["completion_ids"].size(1),
        compute_entropy=True,
    )
    return logps, entropies


def metrics_snapshot(trainer):
    return {k: list(v) for k, v in trainer._metrics["train"].items()}


def loss_case(
    root, out, model_name, tok, name, *, loss_type, beta, old_noise, ga, seed, spg=None, epsilon_high=None
):
    """compute_loss on each micro-batch of 4 completions split into
    max(ga, spg) micro-batches, gradients accumulated over all of them."""
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    spg = spg or ga
    rows = 4
    n_micro = max(ga, spg)
    per = rows // n_micro
    overrides = {
        "loss_type": loss_type,
        "beta": beta,
        "epsilon": 0.2,
        "per_device_train_batch_size": per,
        "gradient_accumulation_steps": ga,
        "steps_per_generation": spg,
        # Only needs to divide the generation batch; compute_loss ignores it.
        "num_generations": 2,
    }
    if epsilon_high is not None:
        overrides["epsilon_high"] = epsilon_high
    with tempfile.TemporaryDirectory() as tmp:
        trainer = make_trainer(root / model_name, tok, make_config(Path(tmp), **overrides))
    model = trainer.model
    model.train()
    pad = tok.pad_token_id
    src = Batches(len(tok), tok.convert_tokens_to_ids("<|im_end|>"), pad, seed)
    prompts, completions = src.batch([5, 3, 6, 4], [8, 5, 8, 3])
    advantages = src.advantages(rows)
    # transformers' Trainer sets this in its training loop; compute_loss
    # reads it (grpo_trainer.py 3155-3180).
    trainer.current_gradient_accumulation_steps = ga
    micro = []
    for k in range(n_micro):
        sl = slice(k * per, (k + 1) * per)
        # num_items_in_batch counts the active tokens of the whole generation
        # batch (grpo_trainer.py 2498): the spg micro-batches this one is in.
        g = k // spg
        gen = slice(g * spg * per, (g + 1) * spg * per)
        num_items = torch.tensor(float(sum(len(c) for c in completions[gen])))
        mb_prompts, mb_completions = prompts[sl], completions[sl]
        width = max(len(c) for c in mb_completions)
        inputs = tensor_inputs(mb_prompts, mb_completions, advantages[sl], pad, width)
        inputs["num_items_in_batch"] = num_items
        logps, entropies = trl_logps(trainer, model, inputs)
        mask = inputs["completion_mask"].float()
        tensors = {"trl_logps": logps.contiguous(), "trl_entropy": entropies.contiguous()}
        if old_noise:
            shift = src.noise(logps.shape, old_noise)
            # Whatever the draw, the ratio of every completion's first token is
            # e^0.4 (above 1 + epsilon_high) and of its second e^-0.4 (below
            # 1 - epsilon_low), so rows of either advantage sign are clipped.
            shift[:, 0], shift[:, 1] = -0.4, 0.4
            old = (logps + shift) * mask
            inputs["old_per_token_logps"] = old
            tensors["old_logps"] = old.contiguous()
        if beta != 0.0:
            ref = (logps + src.noise(logps.shape, 0.2)) * mask
            inputs["ref_per_token_logps"] = ref
            tensors["ref_logps"] = ref.contiguous()
        before = metrics_snapshot(trainer)
        loss = trainer.compute_loss(model, inputs)
        loss.backward()
        after = metrics_snapshot(trainer)
        metrics = {
            key: values[len(before.get(key, []))]
            for key, values in after.items()
            if len(values) > len(before.get(key, []))
        }
        save_file(tensors, str(d / f"micro{k}.safetensors"))
        micro.append(
            {
                "prompts": mb_prompts,
                "completions": mb_completions,
                "advantages": advantages[sl].tolist(),
                "num_items_in_batch": float(num_items),
                "loss": loss.item(),
                "metrics": metrics,
                "tensors": f"micro{k}.safetensors",
            }
        )
    grads = {
        n: p.grad.detach().clone().contiguous() for n, p in model.named_parameters() if p.grad is not None
    }
    save_file(grads, str(d / "grads.safetensors"))
    case = {
        "kind": "loss",
        "model": model_name,
        "loss_type": loss_type,
        "beta": beta,
        "epsilon_low": trainer.epsilon_low,
        "epsilon_high": trainer.epsilon_high,
        "max_completion_length": MAX_COMPLETION_LENGTH,
        "temperature": TEMPERATURE,
        "gradient_accumulation_steps": ga,
        "steps_per_generation": trainer.args.steps_per_generation,
        "pad_id": pad,
        "micro_batches": micro,
        "grads": "grads.safetensors",
    }
    (d / "case.json").write_text(json.dumps(case, indent=1))
    print(f"wrote {d}: losses {[m['loss'] for m in micro]}")


class FixedGenerationTrainer(GRPOTrainer):
    """GRPOTrainer whose generation and scoring return fixed batches. The
    log-probs the original `_generate_and_score_completions` computes for
    the loss are computed here the same way, with TRL's own function."""

    fixed_batches: ClassVar[list] = []
    calls: ClassVar[int] = 0

    def _generate_and_score_completions(self, inputs):
        batch = dict(self.fixed_batches[type(self).calls])
        type(self).calls += 1
        input_ids = torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1)
        attention_mask = torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1)
        logits_to_keep = batch["completion_ids"].size(1)
        batch_size = self.args.per_device_train_batch_size
        with torch.no_grad():
            # grpo_trainer.py 2641-2655: old log-probs only when generation and
            # optimizer steps are misaligned (here: num_iterations > 1).
            generate_every = self.args.steps_per_generation * self.num_iterations
            if self.args.gradient_accumulation_steps % generate_every != 0:
                old, _, _ = self._get_per_token_logps_and_entropies(
                    self.model, input_ids, attention_mask, logits_to_keep, batch_size=batch_size
                )
                batch["old_per_token_logps"] = old
            # grpo_trainer.py 2708-2739: reference log-probs when beta != 0.
            if self.beta != 0.0:
                ref, _, _ = self._get_per_token_logps_and_entropies(
                    self.ref_model, input_ids, attention_mask, logits_to_keep, batch_size=batch_size
                )
                batch["ref_per_token_logps"] = ref
        return batch


class Recorder(TrainerCallback):
    """The gradients each optimizer step used (after clip_grad_norm_), the
    weights after it, and the logged figures."""

    def __init__(self):
        self.grads = []
        self.weights = []
        self.logs = []

    def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
        self.grads.append({n: p.grad.detach().clone().contiguous() for n, p in model.named_parameters()})

    def on_optimizer_step(self, args, state, control, model=None, **kwargs):
        self.weights.append({n: p.detach().clone().contiguous() for n, p in model.named_parameters()})

    def on_log(self, args, state, control, logs=None, **kwargs):
        self.logs.append(dict(logs or {}))


def unpad(part):
    """A micro-batch back to lists of ids (prompts without their left
    padding, completions up to the end of their mask)."""
    rows = zip(part["prompt_ids"], part["prompt_mask"], strict=True)
    prompts = [row[m.bool()].tolist() for row, m in rows]
    lens = part["completion_mask"].sum(-1).tolist()
    rows = zip(part["completion_ids"], lens, strict=True)
    completions = [row[: int(n)].tolist() for row, n in rows]
    return prompts, completions


def train_case(root, out, tok, name, *, model_name, seed, steps, **overrides):
    """`trainer.train()` for `steps` optimizer steps on fixed completions."""
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    pad = tok.pad_token_id
    src = Batches(len(tok), tok.convert_tokens_to_ids("<|im_end|>"), pad, seed)
    rows = 4
    batches = []
    for _ in range(steps):
        prompts, completions = src.batch([5, 3, 6, 4], [8, 5, 8, 3])
        b = tensor_inputs(prompts, completions, src.advantages(rows), pad, MAX_COMPLETION_LENGTH)
        b["num_items_in_batch"] = b["completion_mask"].sum()
        batches.append(b)
    FixedGenerationTrainer.fixed_batches = batches
    FixedGenerationTrainer.calls = 0

    # The micro-batches exactly as TRL's _prepare_inputs (grpo_trainer.py
    # 1541-1545) splits each generation batch, after shuffle_sequence_dict.
    generations = []
    original_split = grpo_trainer.split_tensor_dict

    def recording_split(batch, n):
        parts = original_split(batch, n)
        generations.append(parts)
        return parts

    grpo_trainer.split_tensor_dict = recording_split
    recorder = Recorder()
    ga = overrides["gradient_accumulation_steps"]
    overrides["per_device_train_batch_size"] = rows // ga
    overrides["max_steps"] = steps
    try:
        with tempfile.TemporaryDirectory() as tmp:
            trainer = make_trainer(
                root / model_name,
                tok,
                make_config(Path(tmp), **overrides),
                cls=FixedGenerationTrainer,
                callbacks=[recorder],
            )
            initial = {n: p.detach().clone() for n, p in trainer.model.named_parameters()}
            trainer.train()
    finally:
        grpo_trainer.split_tensor_dict = original_split

    args = trainer.args
    spg = args.steps_per_generation
    generate_every = spg * args.num_iterations
    golden_generations = []
    for g, parts in enumerate(generations):
        recorded = []
        for k, part in enumerate(parts):
            prompts, completions = unpad(part)
            tensors = {
                f"{key}_logps": part[f"{key}_per_token_logps"].contiguous()
                for key in ["old", "ref"]
                if f"{key}_per_token_logps" in part
            }
            fname = None
            if tensors:
                fname = f"gen{g}_part{k}.safetensors"
                save_file(tensors, str(d / fname))
            recorded.append(
                {
                    "prompts": prompts,
                    "completions": completions,
                    "advantages": part["advantages"].tolist(),
                    "num_items_in_batch": float(part["num_items_in_batch"]),
                    "tensors": fname,
                }
            )
        golden_generations.append(recorded)
    # Which buffered micro-batch each optimizer step used: _prepare_inputs
    # generates every steps_per_generation * num_iterations micro-steps and
    # returns _buffered_inputs[_step % steps_per_generation].
    schedule = [
        [[(s * ga + i) // generate_every, (s * ga + i) % spg] for i in range(ga)] for s in range(steps)
    ]
    for s, (g, w) in enumerate(zip(recorder.grads, recorder.weights, strict=True)):
        save_file(g, str(d / f"grads_step{s}.safetensors"))
        save_file(w, str(d / f"weights_step{s}.safetensors"))
    step_logs = [entry for entry in recorder.logs if "grad_norm" in entry]
    inner = getattr(trainer.optimizer, "optimizer", trainer.optimizer)
    case = {
        "kind": "train",
        "model": model_name,
        "loss_type": trainer.loss_type,
        "beta": trainer.beta,
        "epsilon_low": trainer.epsilon_low,
        "epsilon_high": trainer.epsilon_high,
        "max_completion_length": trainer.max_completion_length,
        "temperature": trainer.temperature,
        "gradient_accumulation_steps": ga,
        "steps_per_generation": spg,
        "num_iterations": args.num_iterations,
        # grpo_trainer.py 2644: old log-probs are kept from generation time.
        "old_logps_at_generation": ga % generate_every != 0,
        "pad_id": pad,
        "optimizer": type(inner).__name__,
        "optim": str(args.optim),
        "learning_rate": args.learning_rate,
        "adam_beta1": args.adam_beta1,
        "adam_beta2": args.adam_beta2,
        "adam_epsilon": args.adam_epsilon,
        "weight_decay": args.weight_decay,
        "decayed_parameters": sorted(trainer.get_decay_parameter_names(trainer.model)),
        "param_groups": [
            {"weight_decay": g["weight_decay"], "params": len(g["params"])} for g in inner.param_groups
        ],
        "max_grad_norm": args.max_grad_norm,
        "lr_scheduler_type": str(args.lr_scheduler_type.value),
        "warmup_steps": args.warmup_steps,
        "steps": steps,
        "generations": golden_generations,
        "schedule": schedule,
        "grad_norm": [entry["grad_norm"] for entry in step_logs],
        "logged_learning_rate": [entry["learning_rate"] for entry in step_logs],
        "logged_loss": [entry["loss"] for entry in step_logs],
        "grads": [f"grads_step{s}.safetensors" for s in range(len(recorder.grads))],
        "weights": [f"weights_step{s}.safetensors" for s in range(len(recorder.weights))],
    }
    (d / "case.json").write_text(json.dumps(case, indent=1))
    moved = max((recorder.weights[-1][n] - initial[n]).abs().max().item() for n in initial)
    print(f"wrote {d}: grad_norm {case['grad_norm']}, max weight change {moved:.3e}")


def main() -> None:
    root = Path(sys.argv[1])
    out = root / "trl"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    torch.use_deterministic_algorithms(True)
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    tok = AutoTokenizer.from_pretrained(root / "qwen2_untied")
    tok.padding_side = "left"

    # compute_loss cases: every loss type with and without KL at ratio 1;
    # ratio != 1 (old log-probs perturbed so tokens are clipped on both
    # sides, asymmetric clipping as DAPO's eps_high 0.28); gradient
    # accumulation 2 (dapo's normaliser then spans both micro-batches).
    seed = 100
    for loss_type in ["grpo", "bnpo", "dr_grpo", "dapo"]:
        variants = [
            ("beta0.0", {"beta": 0.0}),
            ("beta0.04", {"beta": 0.04}),
            ("offpolicy", {"beta": 0.04, "old_noise": 0.3, "epsilon_high": 0.28}),
            ("ga2", {"beta": 0.04, "ga": 2}),
        ]
        for suffix, kw in variants:
            seed += 1
            kw = {"old_noise": 0.0, "ga": 1, **kw}
            loss_case(
                root, out, "qwen2_untied", tok, f"{loss_type}_{suffix}", loss_type=loss_type, seed=seed, **kw
            )
    loss_case(
        root, out, "qwen2_untied", tok, "dapo_offpolicy_beta0.0",
        loss_type="dapo", beta=0.0, old_noise=0.3, ga=1, seed=201, epsilon_high=0.28,
    )  # fmt: skip
    # dapo rescales num_items_in_batch by gradient_accumulation_steps /
    # steps_per_generation (grpo_trainer.py 3169-3172): both ways round.
    loss_case(
        root, out, "qwen2_untied", tok, "dapo_ga2_spg1",
        loss_type="dapo", beta=0.04, old_noise=0.0, ga=2, spg=1, seed=202,
    )  # fmt: skip
    loss_case(
        root, out, "qwen2_untied", tok, "dapo_ga1_spg2",
        loss_type="dapo", beta=0.0, old_noise=0.3, ga=1, spg=2, seed=203, epsilon_high=0.28,
    )  # fmt: skip
    loss_case(
        root, out, "qwen2_tied", tok, "dapo_tied_offpolicy",
        loss_type="dapo", beta=0.04, old_noise=0.3, ga=1, seed=200, epsilon_high=0.28,
    )  # fmt: skip

    # train() cases.
    # Gradient accumulation 2, clipping active (grad norms are ~7-10),
    # weight decay, cosine schedule with one warm-up step (whose rate is 0).
    train_case(
        root, out, tok, "train_dapo_ga2_cosine", model_name="qwen2_untied", seed=300, steps=3,
        loss_type="dapo", beta=0.0, gradient_accumulation_steps=2, learning_rate=1e-3,
        weight_decay=0.1, max_grad_norm=0.05, lr_scheduler_type="cosine", warmup_steps=1,
    )  # fmt: skip
    # KL against TRL's reference model, no clipping, constant rate.
    train_case(
        root, out, tok, "train_grpo_kl_constant", model_name="qwen2_untied", seed=301, steps=3,
        loss_type="grpo", beta=0.04, gradient_accumulation_steps=1, learning_rate=1e-3,
        weight_decay=0.01, max_grad_norm=1e3, lr_scheduler_type="constant",
    )  # fmt: skip
    # num_iterations 2: every generation optimised twice, the second time
    # with TRL's old log-probs from generation time (ratio != 1); tied
    # embeddings; dr_grpo; clipping at the default 1.0.
    train_case(
        root, out, tok, "train_dr_grpo_iter2_tied", model_name="qwen2_tied", seed=302, steps=4,
        loss_type="dr_grpo", beta=0.04, gradient_accumulation_steps=1, num_iterations=2,
        learning_rate=1e-3, weight_decay=0.0, max_grad_norm=1.0, lr_scheduler_type="cosine",
        epsilon=0.2, epsilon_high=0.28,
    )  # fmt: skip

    versions = {"trl": trl.__version__, "transformers": transformers.__version__, "torch": torch.__version__}
    (out / "versions.json").write_text(json.dumps(versions))


if __name__ == "__main__":
    main()
