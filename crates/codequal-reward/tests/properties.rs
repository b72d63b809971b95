//! Invariants of the rewards and advantages, for any input.

use codequal_reward::advantage::{group_advantages, normalize_then_sum, Scaling};
use codequal_reward::compose::Weights;
use codequal_reward::extract::extract_code;
use codequal_reward::format::{format_reward_of, FormatConfig};
use proptest::prelude::*;

fn completion() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,300}",
        proptest::collection::vec(
            prop::sample::select(vec![
                "```",
                "```python\n",
                "```py\n",
                "\n",
                "<think>",
                "</think>",
                "def f(x):\n",
                "    return x\n",
                "\u{202E}",
                "\u{200B}",
                "prose ",
                "````",
                "x = (",
                "\0",
                "é",
            ]),
            0..40
        )
        .prop_map(|parts| parts.concat()),
        proptest::collection::vec(any::<u8>(), 0..400)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn format_reward_is_in_range_and_never_panics(text in completion()) {
        let _ = extract_code(&text);
        let r = format_reward_of(&text, &FormatConfig::default()).value;
        prop_assert!((0.0..=1.0).contains(&r));
    }

    #[test]
    fn advantages_of_a_group_sum_to_zero(
        rewards in proptest::collection::vec(proptest::option::weighted(0.9, 0.0f64..1.0), 2..16),
        scaling in prop::sample::select(vec![Scaling::Group, Scaling::Batch, Scaling::None]),
    ) {
        let a = group_advantages(&rewards, rewards.len(), scaling);
        prop_assert_eq!(a.len(), rewards.len());
        prop_assert!(a.iter().sum::<f64>().abs() < 1e-6);
        for (r, a) in rewards.iter().zip(&a) {
            if r.is_none() { prop_assert_eq!(*a, 0.0); }
            prop_assert!(a.is_finite());
        }
    }

    #[test]
    fn tied_groups_get_zero(v in 0.0f64..1.0, n in 1usize..12) {
        let a = group_advantages(&vec![Some(v); n], n, Scaling::Group);
        prop_assert!(a.iter().all(|x| *x == 0.0));
        let per: Vec<Vec<Option<f64>>> = vec![vec![Some(v), Some(v), Some(v)]; n];
        prop_assert!(normalize_then_sum(&per, &[0.2, 0.3, 0.5], n).iter().all(|x| x.abs() < 1e-9));
    }

    #[test]
    fn composite_is_linear_in_the_weights(
        r in proptest::array::uniform3(0.0f64..1.0),
        w1 in proptest::array::uniform3(0.0f64..1.0),
        w2 in proptest::array::uniform3(0.0f64..1.0),
        t in 0.0f64..1.0,
    ) {
        let mk = |w: [f64; 3]| Weights { format: w[0], correctness: w[1], quality: w[2] };
        let rr = [Some(r[0]), Some(r[1]), Some(r[2])];
        let mix: [f64; 3] = std::array::from_fn(|i| t * w1[i] + (1.0 - t) * w2[i]);
        let lhs = mk(mix).composite(rr).unwrap();
        let rhs = t * mk(w1).composite(rr).unwrap() + (1.0 - t) * mk(w2).composite(rr).unwrap();
        prop_assert!((lhs - rhs).abs() < 1e-12);
    }
}
