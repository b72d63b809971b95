"""transformers' side of `cargo xtask bench-grpo`.

Usage:
  python bench_generate.py make-model DIR
  python bench_generate.py run --model DIR --batch N --new-tokens T --repeats R
      [--threads N]

make-model: a small random Qwen2 (hidden 256, 4 layers, 4 heads / 2 KV
heads, intermediate 688, vocab 4096, context 1024, tied embeddings), saved
with save_pretrained next to the small BPE tokenizer that
crates/codequal-grpo/tests/golden/make_tiny_models.py trains. The weights are
transformers' own random initialisation: the benchmark times the work, not
what the model says.

run: the same work as crates/codequal-grpo/examples/bench_sampling.rs, with
the same prompts: a left-padded batch with its attention mask through
model.generate(do_sample=True, temperature=1, top_p=1, top_k=0,
max_new_tokens=T, min_new_tokens=T, no EOS id, use_cache=True), then one
log-probs forward pass over prompt + completion (logits of the completion
positions, as TRL asks for them with logits_to_keep -> log_softmax ->
gather). One warm-up run of each, then R timed runs; the medians are
printed as one JSON object.
"""

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, GenerationConfig, Qwen2Config, Qwen2ForCausalLM

# The same as bench_sampling.rs's PROMPT_LENGTHS and prompt().
PROMPT_LENGTHS = [16, 24, 32]


def prompt(i: int, vocab: int) -> list[int]:
    n = PROMPT_LENGTHS[i % len(PROMPT_LENGTHS)]
    return [4 + (i * 131 + j * 17) % (vocab - 4) for j in range(n)]


def make_model(out: Path) -> None:
    golden = (
        Path(__file__).resolve().parents[2]
        / "crates/codequal-grpo/tests/golden/make_tiny_models.py"
    )
    spec = importlib.util.spec_from_file_location("make_tiny_models", golden)
    tiny = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tiny)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    fast = tiny.make_tokenizer(out)
    pad = fast.convert_tokens_to_ids("<|endoftext|>")
    cfg = Qwen2Config(
        vocab_size=4096,
        hidden_size=256,
        intermediate_size=688,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        rms_norm_eps=1e-6,
        rope_theta=1000000.0,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=None,
        pad_token_id=pad,
    )
    model = Qwen2ForCausalLM(cfg).to(torch.float32).eval()
    # No EOS anywhere: every sequence runs max_new_tokens.
    model.generation_config = GenerationConfig(pad_token_id=pad)
    model.save_pretrained(out, safe_serialization=True)


def run(args: argparse.Namespace) -> None:
    if args.threads:
        torch.set_num_threads(args.threads)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    vocab = model.config.vocab_size
    pad = model.generation_config.pad_token_id or 0
    prompts = [prompt(i, vocab) for i in range(args.batch)]
    width = max(map(len, prompts))
    input_ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    t = args.new_tokens
    gen_cfg = GenerationConfig(
        do_sample=True,
        temperature=1.0,
        top_p=1.0,
        top_k=0,
        max_new_tokens=t,
        min_new_tokens=t,
        eos_token_id=None,
        pad_token_id=pad,
        use_cache=True,
    )

    generate_s = []
    completions = None
    for r in range(args.repeats + 1):
        torch.manual_seed(r)
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(
                input_ids=input_ids, attention_mask=mask, generation_config=gen_cfg
            )
        seconds = time.perf_counter() - start
        if out.shape[1] != width + t:
            sys.exit(f"generate returned {out.shape[1] - width} new tokens, not {t}")
        completions = out[:, width:]
        if r > 0:  # run 0 warms up
            generate_s.append(seconds)

    # Prompt left padded, completion full length (no EOS): one sequence.
    seq = torch.cat([input_ids, completions], dim=1)
    seq_mask = torch.cat([mask, torch.ones_like(completions)], dim=1)
    position_ids = (seq_mask.cumsum(-1) - 1).clamp(min=0)
    logprobs_s = []
    mean_logprob = float("nan")
    for r in range(args.repeats + 1):
        start = time.perf_counter()
        with torch.no_grad():
            # The last t + 1 positions; the final one predicts nothing.
            logits = model(
                input_ids=seq,
                attention_mask=seq_mask,
                position_ids=position_ids,
                logits_to_keep=t + 1,
            ).logits[:, :-1].float()
            lp = torch.log_softmax(logits / 1.0, dim=-1)
            lp = lp.gather(-1, completions.unsqueeze(-1)).squeeze(-1)
        seconds = time.perf_counter() - start
        mean_logprob = lp.mean().item()
        if r > 0:
            logprobs_s.append(seconds)

    median = statistics.median_high
    print(
        json.dumps(
            {
                "impl": "transformers",
                "batch": args.batch,
                "new_tokens": t,
                "repeats": args.repeats,
                "threads": torch.get_num_threads(),
                "attn_implementation": model.config._attn_implementation,
                "generate_s": median(generate_s),
                "generate_runs_s": generate_s,
                "tokens_per_s": args.batch * t / median(generate_s),
                "logprobs_s": median(logprobs_s),
                "logprobs_runs_s": logprobs_s,
                "mean_logprob": mean_logprob,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make-model")
    mk.add_argument("dir", type=Path)
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--batch", type=int, default=1)
    r.add_argument("--new-tokens", type=int, default=64)
    r.add_argument("--repeats", type=int, default=3)
    r.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.cmd == "make-model":
        make_model(args.dir)
    else:
        run(args)


if __name__ == "__main__":
    main()
