//! Report drafts (稿件): their source text, the review status (草稿 → 待审 → 已审定, or
//! 退回), leaders' comments, and the document frozen at approval.
//!
//! The store keeps the rules of who may do what and in which status; compiling a draft,
//! checking it and comparing an approval with today's data is `crate::approval`'s work.

use super::*;
use crate::document::Document;

/// Where a draft is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftStatus {
    /// 草稿: the office writes it.
    Draft,
    /// 待审: handed to a leader; nobody edits it.
    Review,
    /// 已审定: approved and frozen.
    Approved,
    /// 退回: a leader sent it back; the office edits it again.
    Returned,
}

impl DraftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Review => "review",
            DraftStatus::Approved => "approved",
            DraftStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<DraftStatus> {
        Some(match s {
            "draft" => DraftStatus::Draft,
            "review" => DraftStatus::Review,
            "approved" => DraftStatus::Approved,
            "returned" => DraftStatus::Returned,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            DraftStatus::Draft => "草稿",
            DraftStatus::Review => "待审",
            DraftStatus::Approved => "已审定",
            DraftStatus::Returned => "退回",
        }
    }

    /// The office may change the text only while it is with the office.
    pub fn editable(self) -> bool {
        matches!(self, DraftStatus::Draft | DraftStatus::Returned)
    }
}

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: i64,
    pub year: i32,
    /// The template it was started from (`annual-report`, …).
    pub template: String,
    pub title: String,
    /// Template markup: prose as the office wrote it, figures as `figure(…)` calls.
    pub source: String,
    pub status: DraftStatus,
    /// The approved draft this one is a new revision of.
    pub revision_of: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
}

/// A leader's (or the office's) remark on a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftComment {
    pub id: i64,
    pub draft_id: i64,
    /// Index of the block in the compiled document when the comment was written.
    pub block: Option<usize>,
    /// The start of that block's text, to find it again after edits.
    pub quote: String,
    pub text: String,
    pub author: String,
    pub at: String,
}

/// What was approved: the document with every figure as it stood.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub draft_id: i64,
    pub approved_by: String,
    pub approved_at: String,
    pub document: Document,
}

impl Store {
    /// Starts a draft of `year` from a template's source (office only).
    pub fn create_draft(
        &mut self,
        actor: &Actor,
        year: i32,
        template: &str,
        title: &str,
        source: &str,
    ) -> Result<i64> {
        require_office(actor, "新建报告稿")?;
        let title = title.trim();
        if title.is_empty() {
            return Err(StoreError::Invalid("报告稿标题不能为空".into()));
        }
        let tx = self.write_tx()?;
        let at = now();
        let id: i64 = tx.query_one(
            "INSERT INTO drafts (year, template, title, source, status, revision_of,
                                 created_by, created_at, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'draft', NULL, ?5, ?6, ?5, ?6) RETURNING id",
            params![year, template, title, source, actor.login, at],
            |r| r.get(0),
        )?;
        audit(
            &tx,
            actor,
            "insert",
            "draft",
            &id.to_string(),
            None,
            Some(title),
            "",
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// All drafts, newest first; of one year when `year` is given.
    pub fn drafts(&self, year: Option<i32>) -> Result<Vec<Draft>> {
        self.conn.query_map(
            "SELECT id, year, template, title, source, status, revision_of, created_by,
                    created_at, updated_by, updated_at
             FROM drafts WHERE (CAST(?1 AS INTEGER) IS NULL OR year = ?1) ORDER BY id DESC",
            params![year],
            draft_row,
        )
    }

    pub fn draft(&self, id: i64) -> Result<Draft> {
        load_draft(&self.conn, id)
    }

    /// The office saves new source text. Refused unless the draft is 草稿 or 退回. The old
    /// text goes into the audit log, so an overwritten paragraph can always be recovered.
    pub fn save_draft_source(&mut self, actor: &Actor, id: i64, source: &str) -> Result<()> {
        require_office(actor, "修改报告稿")?;
        let tx = self.write_tx()?;
        let draft = load_draft(&tx, id)?;
        require_editable(&draft)?;
        if draft.source == source {
            return Ok(());
        }
        tx.execute(
            "UPDATE drafts SET source = ?2, updated_by = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, source, actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "update",
            "draft",
            &id.to_string(),
            Some(&draft.source),
            Some(source),
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// 送审: the office hands a draft to the leaders.
    pub fn submit_draft(&mut self, actor: &Actor, id: i64) -> Result<()> {
        require_office(actor, "送审报告稿")?;
        self.move_draft(
            actor,
            id,
            &[DraftStatus::Draft, DraftStatus::Returned],
            DraftStatus::Review,
            "",
            |_| Ok(()),
        )
    }

    /// 退回: a leader sends a draft back to the office, saying why.
    pub fn return_draft(&mut self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        require_leader(actor, "退回报告稿")?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("退回必须填写意见".into()));
        }
        self.move_draft(
            actor,
            id,
            &[DraftStatus::Review],
            DraftStatus::Returned,
            reason.trim(),
            |_| Ok(()),
        )
    }

    /// 审定: a leader approves a draft under review, freezing `document` — the draft
    /// compiled just now — with all its figures. Whether the data allow approval (no
    /// errors) is `crate::approval`'s decision; the store keeps who and when.
    pub fn approve_draft(&mut self, actor: &Actor, id: i64, document: &Document) -> Result<()> {
        require_leader(actor, "审定报告稿")?;
        let json = serde_json::to_string(document)
            .map_err(|e| StoreError::Invalid(format!("无法保存审定稿：{e}")))?;
        self.move_draft(
            actor,
            id,
            &[DraftStatus::Review],
            DraftStatus::Approved,
            "",
            |tx| {
                tx.execute(
                    "INSERT INTO draft_approvals (draft_id, approved_by, approved_at, document)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, actor.login, now(), json],
                )?;
                Ok(())
            },
        )
    }

    /// The frozen document of an approved draft.
    pub fn approval(&self, id: i64) -> Result<Option<Approval>> {
        let row: Option<(String, String, String)> = self.conn.query_opt(
            "SELECT approved_by, approved_at, document FROM draft_approvals WHERE draft_id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        row.map(|(approved_by, approved_at, json)| {
            let document = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("审定稿 {id} 无法读取：{e}")))?;
            Ok(Approval {
                draft_id: id,
                approved_by,
                approved_at,
                document,
            })
        })
        .transpose()
    }

    /// 新修订: the office starts a new draft from an approved one (which stays frozen).
    pub fn revise_draft(&mut self, actor: &Actor, id: i64) -> Result<i64> {
        require_office(actor, "修订报告稿")?;
        let tx = self.write_tx()?;
        let draft = load_draft(&tx, id)?;
        if draft.status != DraftStatus::Approved {
            return Err(wrong_status(&draft, "修订"));
        }
        let at = now();
        let new_id: i64 = tx.query_one(
            "INSERT INTO drafts (year, template, title, source, status, revision_of,
                                 created_by, created_at, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6, ?7, ?6, ?7) RETURNING id",
            params![
                draft.year,
                draft.template,
                draft.title,
                draft.source,
                id,
                actor.login,
                at
            ],
            |r| r.get(0),
        )?;
        audit(
            &tx,
            actor,
            "insert",
            "draft",
            &new_id.to_string(),
            None,
            Some(&draft.title),
            &format!("修订自 {id}"),
        )?;
        tx.commit()?;
        Ok(new_id)
    }

    /// A comment on a paragraph (leaders and office staff; contacts do not review).
    pub fn comment_draft(
        &mut self,
        actor: &Actor,
        id: i64,
        block: Option<usize>,
        quote: &str,
        text: &str,
    ) -> Result<i64> {
        if actor.role == Role::Contact {
            return Err(StoreError::PermissionDenied(
                "处室填报员不能批注报告稿".into(),
            ));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("批注内容不能为空".into()));
        }
        let tx = self.write_tx()?;
        load_draft(&tx, id)?;
        let comment: i64 = tx.query_one(
            "INSERT INTO draft_comments (draft_id, block, quote, text, author, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![id, block.map(|b| b as i64), quote, text, actor.login, now()],
            |r| r.get(0),
        )?;
        audit(
            &tx,
            actor,
            "insert",
            "draft_comment",
            &format!("{id}/{comment}"),
            None,
            Some(text),
            "",
        )?;
        tx.commit()?;
        Ok(comment)
    }

    pub fn draft_comments(&self, id: i64) -> Result<Vec<DraftComment>> {
        self.conn.query_map(
            "SELECT id, draft_id, block, quote, text, author, at FROM draft_comments
             WHERE draft_id = ?1 ORDER BY id",
            params![id],
            |r| {
                Ok(DraftComment {
                    id: r.get(0)?,
                    draft_id: r.get(1)?,
                    block: r.get(2)?,
                    quote: r.get(3)?,
                    text: r.get(4)?,
                    author: r.get(5)?,
                    at: r.get(6)?,
                })
            },
        )
    }

    /// Moves a draft from one of `from` to `to` with its audit row, and does `also` in
    /// the same transaction.
    fn move_draft(
        &mut self,
        actor: &Actor,
        id: i64,
        from: &[DraftStatus],
        to: DraftStatus,
        reason: &str,
        also: impl FnOnce(&Db) -> Result<()>,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        let draft = load_draft(&tx, id)?;
        if !from.contains(&draft.status) {
            return Err(wrong_status(&draft, to_verb(to)));
        }
        tx.execute(
            "UPDATE drafts SET status = ?2, updated_by = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, to.as_str(), actor.login, now()],
        )?;
        audit(
            &tx,
            actor,
            "status",
            "draft",
            &id.to_string(),
            Some(draft.status.as_str()),
            Some(to.as_str()),
            reason,
        )?;
        also(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

fn to_verb(to: DraftStatus) -> &'static str {
    match to {
        DraftStatus::Review => "送审",
        DraftStatus::Returned => "退回",
        DraftStatus::Approved => "审定",
        DraftStatus::Draft => "修改",
    }
}

fn wrong_status(draft: &Draft, verb: &str) -> StoreError {
    StoreError::Invalid(format!(
        "报告稿“{}”当前为{}，不能{verb}",
        draft.title,
        draft.status.label()
    ))
}

fn require_editable(draft: &Draft) -> Result<()> {
    if draft.status.editable() {
        Ok(())
    } else {
        Err(wrong_status(draft, "修改"))
    }
}

fn require_leader(actor: &Actor, what: &str) -> Result<()> {
    if actor.role == Role::Leader {
        Ok(())
    } else {
        Err(StoreError::PermissionDenied(format!(
            "只有领导可以{what}（当前用户：{}，{}）",
            actor.login,
            actor.role.label()
        )))
    }
}

fn draft_row(r: &engine::Row) -> Result<Draft> {
    let status = r.get_str(5)?;
    let status = DraftStatus::parse(status)
        .ok_or_else(|| StoreError::Corrupt(format!("报告稿状态无法识别：{status}")))?;
    Ok(Draft {
        id: r.get(0)?,
        year: r.get(1)?,
        template: r.get(2)?,
        title: r.get(3)?,
        source: r.get(4)?,
        status,
        revision_of: r.get(6)?,
        created_by: r.get(7)?,
        created_at: r.get(8)?,
        updated_by: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

fn load_draft(conn: &Db, id: i64) -> Result<Draft> {
    conn.query_opt(
        "SELECT id, year, template, title, source, status, revision_of, created_by,
                created_at, updated_by, updated_at FROM drafts WHERE id = ?1",
        params![id],
        draft_row,
    )?
    .ok_or_else(|| StoreError::Invalid(format!("没有编号为 {id} 的报告稿")))
}
