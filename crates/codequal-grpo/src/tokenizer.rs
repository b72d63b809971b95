//! A checkpoint's tokenizer (tokenizer.json through the `tokenizers` crate),
//! its chat template (rendered with minijinja the way transformers'
//! `apply_chat_template(add_generation_prompt=True)` renders it with Jinja2)
//! and its EOS ids (every id in generation_config.json's `eos_token_id`).

use std::path::{Path, PathBuf};

use minijinja::{Environment, ErrorKind};
use serde::{Deserialize, Serialize};

use crate::config::TokenIds;
use crate::error::{Error, Result};

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text.
    pub content: String,
}

impl Message {
    /// A message with `role` and `content`.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// The tokenizer, chat template and special tokens of a checkpoint.
#[derive(Debug)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    chat_template: Option<String>,
    bos_token: Option<String>,
    eos_token: Option<String>,
    eos_token_ids: Vec<i64>,
    pad_token_id: Option<i64>,
}

#[derive(Deserialize, Default)]
struct TokenizerConfig {
    #[serde(default)]
    chat_template: Option<ChatTemplateField>,
    #[serde(default)]
    bos_token: Option<SpecialToken>,
    #[serde(default)]
    eos_token: Option<SpecialToken>,
    #[serde(default)]
    pad_token: Option<SpecialToken>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ChatTemplateField {
    One(String),
    Named(Vec<NamedTemplate>),
}

#[derive(Deserialize)]
struct NamedTemplate {
    name: String,
    template: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SpecialToken {
    Text(String),
    Added { content: String },
}

impl SpecialToken {
    fn text(self) -> String {
        match self {
            Self::Text(s) | Self::Added { content: s } => s,
        }
    }
}

#[derive(Deserialize, Default)]
struct GenerationConfig {
    #[serde(default)]
    eos_token_id: Option<TokenIds>,
    #[serde(default)]
    pad_token_id: Option<TokenIds>,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>> {
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| Error::Json {
            path: path.to_path_buf(),
            source,
        })
}

impl Tokenizer {
    /// Loads tokenizer.json, tokenizer_config.json (or chat_template.jinja),
    /// generation_config.json and config.json from `dir`; only tokenizer.json
    /// is required.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let file: PathBuf = dir.join("tokenizer.json");
        if !file.is_file() {
            return Err(Error::Checkpoint {
                dir: dir.to_path_buf(),
                message: "no tokenizer.json".into(),
            });
        }
        let inner = tokenizers::Tokenizer::from_file(&file)
            .map_err(|e| Error::Tokenizer(format!("{}: {e}", file.display())))?;
        let cfg: TokenizerConfig =
            read_json(&dir.join("tokenizer_config.json"))?.unwrap_or_default();
        let jinja = dir.join("chat_template.jinja");
        let chat_template = if jinja.is_file() {
            Some(std::fs::read_to_string(&jinja).map_err(|source| Error::Io {
                path: jinja.clone(),
                source,
            })?)
        } else {
            match cfg.chat_template {
                Some(ChatTemplateField::One(t)) => Some(t),
                Some(ChatTemplateField::Named(list)) => list
                    .into_iter()
                    .find(|t| t.name == "default")
                    .map(|t| t.template),
                None => None,
            }
        };
        let bos_token = cfg.bos_token.map(SpecialToken::text);
        let eos_token = cfg.eos_token.map(SpecialToken::text);
        let pad_token = cfg.pad_token.map(SpecialToken::text);
        let generation: GenerationConfig =
            read_json(&dir.join("generation_config.json"))?.unwrap_or_default();
        let model_config: GenerationConfig =
            read_json(&dir.join("config.json"))?.unwrap_or_default();
        let mut eos_token_ids = generation
            .eos_token_id
            .or(model_config.eos_token_id)
            .map(|ids| ids.to_vec())
            .unwrap_or_default();
        if eos_token_ids.is_empty() {
            if let Some(id) = eos_token.as_deref().and_then(|t| inner.token_to_id(t)) {
                eos_token_ids.push(i64::from(id));
            }
        }
        let pad_token_id = generation
            .pad_token_id
            .and_then(|ids| ids.to_vec().first().copied())
            .or_else(|| {
                pad_token
                    .as_deref()
                    .and_then(|t| inner.token_to_id(t))
                    .map(i64::from)
            });
        Ok(Self {
            inner,
            chat_template,
            bos_token,
            eos_token,
            eos_token_ids,
            pad_token_id,
        })
    }

    /// Token ids of `text`, without added special tokens (templates and
    /// prompts carry their own).
    pub fn encode(&self, text: &str) -> Result<Vec<i64>> {
        let enc = self
            .inner
            .encode(text, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(enc.get_ids().iter().map(|&id| i64::from(id)).collect())
    }

    /// The text of `ids`, special tokens skipped when `skip_special`.
    pub fn decode(&self, ids: &[i64], skip_special: bool) -> Result<String> {
        let ids: Vec<u32> = ids
            .iter()
            .map(|&id| u32::try_from(id).map_err(|_| Error::InvalidInput(format!("token id {id}"))))
            .collect::<Result<_>>()?;
        self.inner
            .decode(&ids, skip_special)
            .map_err(|e| Error::Tokenizer(e.to_string()))
    }

    /// Every id that ends a sequence.
    pub fn eos_token_ids(&self) -> &[i64] {
        &self.eos_token_ids
    }

    /// The padding id: generation_config's `pad_token_id`, else the
    /// tokenizer's pad token, else the first EOS id, else 0.
    pub fn pad_token_id(&self) -> i64 {
        self.pad_token_id
            .or_else(|| self.eos_token_ids.first().copied())
            .unwrap_or(0)
    }

    /// Whether the checkpoint has a chat template.
    pub fn has_chat_template(&self) -> bool {
        self.chat_template.is_some()
    }

    /// The chat template rendered for `messages` with
    /// `add_generation_prompt`, as transformers' `apply_chat_template(...,
    /// tokenize=False)` does.
    pub fn apply_chat_template(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
    ) -> Result<String> {
        let template = self
            .chat_template
            .as_deref()
            .ok_or_else(|| Error::Template("the tokenizer has no chat template".into()))?;
        render_chat_template(
            template,
            messages,
            add_generation_prompt,
            self.bos_token.as_deref(),
            self.eos_token.as_deref(),
        )
    }

    /// The ids of [`Tokenizer::apply_chat_template`]'s text (encoded without
    /// added special tokens, as transformers does).
    pub fn chat_prompt_ids(&self, messages: &[Message]) -> Result<Vec<i64>> {
        self.encode(&self.apply_chat_template(messages, true)?)
    }

    /// The underlying `tokenizers` tokenizer.
    pub fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }
}

/// Renders a Hugging Face chat template. The environment matches
/// transformers': `trim_blocks` and `lstrip_blocks` on, loop controls,
/// `raise_exception`, `tojson` (not ASCII-escaped), `strftime_now`.
pub fn render_chat_template(
    template: &str,
    messages: &[Message],
    add_generation_prompt: bool,
    bos_token: Option<&str>,
    eos_token: Option<&str>,
) -> Result<String> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(false);
    env.add_function(
        "raise_exception",
        |msg: String| -> std::result::Result<String, minijinja::Error> {
            Err(minijinja::Error::new(ErrorKind::InvalidOperation, msg))
        },
    );
    env.add_function("strftime_now", |_fmt: String| -> String { String::new() });
    env.add_filter("tojson", tojson);
    env.add_template("chat", template)
        .map_err(|e| Error::Template(format!("{e:#}")))?;
    let tmpl = env
        .get_template("chat")
        .map_err(|e| Error::Template(format!("{e:#}")))?;
    tmpl.render(minijinja::context! {
        messages => messages,
        add_generation_prompt => add_generation_prompt,
        bos_token => bos_token.unwrap_or(""),
        eos_token => eos_token.unwrap_or(""),
    })
    .map_err(|e| Error::Template(format!("{e:#}")))
}

/// Jinja2's `tojson` as transformers configures it (`ensure_ascii=False`,
/// optional `indent`).
fn tojson(
    value: minijinja::Value,
    indent: Option<usize>,
) -> std::result::Result<minijinja::Value, minijinja::Error> {
    let json = match indent {
        Some(n) => {
            let mut buf = Vec::new();
            let indent_str = " ".repeat(n);
            let fmt = serde_json::ser::PrettyFormatter::with_indent(indent_str.as_bytes());
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            value
                .serialize(&mut ser)
                .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
            String::from_utf8(buf)
                .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.to_string()))?
        }
        None => {
            let v = serde_json::to_value(&value)
                .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
            python_json(&v)
        }
    };
    Ok(minijinja::Value::from_safe_string(json))
}

/// `json.dumps(v, ensure_ascii=False)`: `", "` and `": "` separators.
fn python_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(python_json).collect();
            format!("[{}]", inner.join(", "))
        }
        serde_json::Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::Value::from(k.as_str()),
                        python_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}
