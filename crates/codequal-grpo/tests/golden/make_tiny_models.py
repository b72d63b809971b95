"""Tiny random models and golden outputs for codequal-grpo's conformance tests.

Usage: python make_tiny_models.py OUT_DIR

Builds, with the pinned transformers (xtask/requirements/hf.txt), one tiny
random model per architecture the Rust crate implements, saves each with
save_pretrained(safe_serialization=True) next to a small BPE tokenizer trained
here on a few sentences, and writes what transformers computes for them:

- logits of a left-padded batch (positions as generate() computes them),
- greedy generation of 32 new tokens for the same batch,
- temperature-scaled log-probs of a completion given a prompt,
- the chat template rendered by apply_chat_template(add_generation_prompt=True).

Nothing is downloaded. The Rust tests read OUT_DIR/<model>/ and
OUT_DIR/<model>/golden.json.
"""

import json
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    Olmo2Config,
    Olmo2ForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
)

SENTENCES = [
    "def add(a, b):\n    return a + b\n",
    "Write a Python function that returns the sum of a list.",
    "for i in range(10):\n    print(i * i)\n",
    "The quick brown fox jumps over the lazy dog.",
    "class Stack:\n    def __init__(self):\n        self.items = []\n",
    "Improving LLM-generated code quality with GRPO.",
]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<s>"]

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- for message in messages %}\n"
    "{%- if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{%- endif %}\n"
    "{%- if message['role'] not in ['system', 'user', 'assistant'] %}"
    "{{ raise_exception('unknown role ' + message['role']) }}"
    "{%- endif %}\n"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] | trim }}<|im_end|>\n"
    "{% endfor %}\n"
    "{%- if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

MESSAGES = [
    [{"role": "user", "content": "  Write a function that adds two numbers.  "}],
    [
        {"role": "system", "content": "You write clean Python."},
        {"role": "user", "content": "Sum a list, please."},
        {"role": "assistant", "content": "def s(xs):\n    return sum(xs)"},
        {"role": "user", "content": "Now with \"types\" and émojis ✓."},
    ],
]


def make_tokenizer(out: Path) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(SENTENCES, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(out)
    return fast


def randomize(model: torch.nn.Module) -> None:
    """Spreads the weights so logits are far from uniform (no greedy ties)
    and biases and norm weights are not their trivial initial values."""
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=gen))


def configs(vocab: int, eos: list[int], pad: int, bos: int):
    common = dict(
        vocab_size=vocab,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        rms_norm_eps=1e-6,
        bos_token_id=bos,
        eos_token_id=eos,
        pad_token_id=pad,
    )
    yield "qwen2_tied", Qwen2ForCausalLM, Qwen2Config(
        **common, tie_word_embeddings=True, rope_theta=10000.0
    )
    yield "qwen2_untied", Qwen2ForCausalLM, Qwen2Config(
        **common, tie_word_embeddings=False, rope_theta=1000000.0
    )
    llama = dict(common)
    llama["num_key_value_heads"] = 1
    yield "llama3", LlamaForCausalLM, LlamaConfig(
        **llama,
        tie_word_embeddings=True,
        head_dim=16,
        rope_parameters={
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 32,
        },
    )
    yield "olmo2", Olmo2ForCausalLM, Olmo2Config(
        **common, tie_word_embeddings=False, rope_theta=500000.0
    )


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    tok_dir = out / "tokenizer"
    fast = make_tokenizer(tok_dir)
    vocab = len(fast)
    im_end = fast.convert_tokens_to_ids("<|im_end|>")
    eot = fast.convert_tokens_to_ids("<|endoftext|>")
    bos = fast.convert_tokens_to_ids("<s>")
    pad = eot
    tok_golden = {
        "chat": [
            {
                "messages": m,
                "text": fast.apply_chat_template(
                    m, add_generation_prompt=True, tokenize=False
                ),
                "ids": list(
                    fast.apply_chat_template(
                        m, add_generation_prompt=True, tokenize=True, return_dict=False
                    )
                ),
            }
            for m in MESSAGES
        ],
        "encode": [
            {"text": s, "ids": fast(s, add_special_tokens=False)["input_ids"]}
            for s in SENTENCES + ["unseen wörds ✓ 123"]
        ],
    }
    (tok_dir / "golden.json").write_text(json.dumps(tok_golden, indent=1))

    gen = torch.Generator().manual_seed(7)
    lengths = [9, 4, 12]
    prompts = [
        torch.randint(4, vocab, (n,), generator=gen).tolist() for n in lengths
    ]
    width = max(lengths)
    input_ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
    completion = torch.randint(4, vocab, (10,), generator=gen).tolist()
    temperature = 0.7

    for name, cls, cfg in configs(vocab, [im_end, eot], pad, bos):
        cfg._attn_implementation = "eager"
        model = cls(cfg).to(torch.float32).eval()
        randomize(model)
        d = out / name
        model.generation_config = GenerationConfig(
            bos_token_id=bos, eos_token_id=[im_end, eot], pad_token_id=pad
        )
        model.save_pretrained(d, safe_serialization=True)
        fast.save_pretrained(d)
        if name == "qwen2_untied":
            model.save_pretrained(
                out / "qwen2_sharded", safe_serialization=True, max_shard_size="40KB"
            )
            fast.save_pretrained(out / "qwen2_sharded")
        # Greedy goldens run without EOS (the saved generation_config has
        # two); min_new_tokens would instead suppress EOS logits, which the
        # Rust side does not do.
        model.generation_config = GenerationConfig(pad_token_id=pad)
        with torch.no_grad():
            logits = model(
                input_ids=input_ids, attention_mask=mask, position_ids=position_ids
            ).logits
            greedy = model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                generation_config=GenerationConfig(
                    do_sample=False,
                    max_new_tokens=32,
                    eos_token_id=None,
                    pad_token_id=pad,
                ),
            )[:, width:]
            seq = torch.tensor([prompts[0] + completion])
            lp_logits = model(input_ids=seq).logits[0, len(prompts[0]) - 1 : -1]
            lp = torch.log_softmax(lp_logits / temperature, dim=-1)
            logprobs = lp.gather(-1, torch.tensor(completion)[:, None])[:, 0]
        golden = {
            "prompts": prompts,
            "pad_id": pad,
            "logits": [
                logits[b, width - len(p) :].tolist() for b, p in enumerate(prompts)
            ],
            "greedy": greedy.tolist(),
            "completion": completion,
            "temperature": temperature,
            "logprobs": logprobs.tolist(),
        }
        (d / "golden.json").write_text(json.dumps(golden))
        print(f"wrote {d}")


if __name__ == "__main__":
    main()
