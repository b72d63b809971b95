//! The prompt template: how a problem becomes a chat for the policy.
//!
//! The default system prompt asks for exactly one fenced ```python block,
//! optionally preceded by brief reasoning; the user turn is the problem's
//! prompt. Both are plain strings a user can override in the training config.

use serde::{Deserialize, Serialize};

use crate::problems::Problem;

/// The default system prompt.
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are an expert Python programmer. Solve the task with correct, \
clean, efficient and secure Python 3 code using only the standard library. You may think briefly first. \
Then answer with exactly one fenced code block that starts with ```python and contains the complete \
solution (imports, the requested function or class, and any helpers), and nothing after it.";

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system` or `user`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// How problems are turned into chats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromptTemplate {
    /// System prompt (default [`DEFAULT_SYSTEM_PROMPT`]).
    pub system: String,
    /// User turn, with `{prompt}` replaced by the problem's prompt (default
    /// `"{prompt}"`).
    pub user: String,
}

impl Default for PromptTemplate {
    fn default() -> Self {
        Self {
            system: DEFAULT_SYSTEM_PROMPT.to_owned(),
            user: "{prompt}".to_owned(),
        }
    }
}

impl PromptTemplate {
    /// The chat for one problem: a system message, then the user's task.
    pub fn messages(&self, problem: &Problem) -> Vec<Message> {
        vec![
            Message {
                role: "system".to_owned(),
                content: self.system.clone(),
            },
            Message {
                role: "user".to_owned(),
                content: self.user.replace("{prompt}", &problem.prompt),
            },
        ]
    }
}
