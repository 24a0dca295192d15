//! Drafts through the store on temporary files: who may do what in which status, figures
//! that follow the data until approval and are marked as drifted after it, and a file of
//! schema version 1 (as released) upgraded in place.

use std::path::Path;

#[path = "support/demo_values.rs"]
mod demo_values;

use demo_values::add_to_office_value;

use nianbao::approval::{self, DraftError};
use nianbao::check::CheckOptions;
use nianbao::store::{AuditFilter, DraftStatus, Store, StoreError};
use nianbao::ui::drafts::source_map;

const OFFICE: &str = "liu.office";
const LEADER: &str = "huang.leader";
const CONTACT: &str = "li.zhe";

fn demo(dir: &Path) -> Store {
    nianbao::demo::create(&dir.join("demo.db")).unwrap()
}

/// The printed text of every figure of `code` in the draft compiled now (not the
/// year-on-year phrases derived from it).
fn printed(store: &Store, id: i64, code: &str) -> Vec<String> {
    let d = store.draft(id).unwrap();
    let data = approval::year_data(store, d.year).unwrap();
    let compiled = approval::compile_draft(store, &d, &data).unwrap();
    approval::figures(&compiled.document)
        .filter(|(_, f)| f.provenance.metric_code == code && f.provenance.inputs.is_empty())
        .map(|(_, f)| f.text.clone())
        .collect()
}

fn add_to_december(store: &mut Store, code: &str, by: i64) {
    add_to_office_value(store, 12, code, by);
}

#[test]
fn a_draft_goes_from_office_to_leader_and_is_frozen_at_approval() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor(OFFICE).unwrap();
    let leader = store.actor(LEADER).unwrap();
    let contact = store.actor(CONTACT).unwrap();

    // Only the office starts drafts.
    assert!(matches!(
        approval::start(&mut store, &contact, 2019, "annual-report", None),
        Err(DraftError::Store(StoreError::PermissionDenied(_)))
    ));
    let id = approval::start(&mut store, &office, 2019, "annual-report", None).unwrap();
    let d = store.draft(id).unwrap();
    assert_eq!(d.status, DraftStatus::Draft);
    assert_eq!(
        d.title,
        "安徽省市场监督管理局2019年政府信息公开工作年度报告"
    );

    // The office rewrites a sentence; the figure in it stays live.
    let edited = d.source.replace(
        "全年主动公开政府信息{{ figure(\"disclosure.proactive\") }}条",
        "全年累计主动公开各类政府信息{{ figure(\"disclosure.proactive\") }}条",
    );
    assert_ne!(
        edited, d.source,
        "the template sentence moved; update the test"
    );
    store.save_draft_source(&office, id, &edited).unwrap();
    assert_eq!(printed(&store, id, "disclosure.proactive"), ["4387"]);
    add_to_december(&mut store, "disclosure.proactive", 3);
    assert_eq!(printed(&store, id, "disclosure.proactive"), ["4390"]);

    // Contacts and leaders cannot edit; contacts cannot comment or review.
    assert!(store.save_draft_source(&contact, id, "x").is_err());
    assert!(store.save_draft_source(&leader, id, "x").is_err());
    assert!(
        store
            .comment_draft(&contact, id, Some(0), "", "意见")
            .is_err()
    );
    assert!(store.submit_draft(&leader, id).is_err());

    // 送审: nobody edits it now; a leader returns it with a reason, never without.
    store.submit_draft(&office, id).unwrap();
    assert!(matches!(
        store.save_draft_source(&office, id, "x"),
        Err(StoreError::Invalid(_))
    ));
    assert!(store.return_draft(&leader, id, "  ").is_err());
    assert!(store.return_draft(&office, id, "改").is_err());
    store
        .comment_draft(&leader, id, Some(3), "全年累计主动公开", "请补充同比说明")
        .unwrap();
    store.return_draft(&leader, id, "请按批注修改").unwrap();
    assert_eq!(store.draft(id).unwrap().status, DraftStatus::Returned);
    let comments = store.draft_comments(id).unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        (comments[0].author.as_str(), comments[0].block),
        (LEADER, Some(3))
    );

    // Back with the office: edit, resubmit, approve.
    store
        .save_draft_source(&office, id, &format!("{edited}\n"))
        .unwrap();
    store.submit_draft(&office, id).unwrap();
    assert!(matches!(
        approval::approve(&mut store, &office, id, &CheckOptions::default()),
        Err(DraftError::Store(StoreError::PermissionDenied(_)))
    ));
    let frozen = approval::approve(&mut store, &leader, id, &CheckOptions::default()).unwrap();
    assert_eq!(store.draft(id).unwrap().status, DraftStatus::Approved);
    let approval = store.approval(id).unwrap().unwrap();
    assert_eq!(approval.document, frozen);
    assert_eq!(approval.approved_by, LEADER);
    assert!(store.save_draft_source(&office, id, "x").is_err());

    // A value changes after approval: the frozen text stays, the drift is reported.
    let d = store.draft(id).unwrap();
    let data = approval::year_data(&store, 2019).unwrap();
    let today = approval::compile_draft(&store, &d, &data).unwrap().document;
    assert!(approval::drift(&frozen, &today).is_empty());
    add_to_december(&mut store, "disclosure.proactive", 10);
    let data = approval::year_data(&store, 2019).unwrap();
    let today = approval::compile_draft(&store, &d, &data).unwrap().document;
    let drift = approval::drift(&store.approval(id).unwrap().unwrap().document, &today);
    assert!(!drift.is_empty());
    assert!(
        drift
            .iter()
            .all(|x| x.metric_code == "disclosure.proactive")
    );
    assert_eq!(
        (drift[0].approved.as_str(), drift[0].now.as_deref()),
        ("4390", Some("4400"))
    );
    assert_eq!(store.approval(id).unwrap().unwrap().document, frozen);

    // A new revision starts from the approved text and is editable again.
    let rev = store.revise_draft(&office, id).unwrap();
    let r = store.draft(rev).unwrap();
    assert_eq!((r.status, r.revision_of), (DraftStatus::Draft, Some(id)));
    assert_eq!(r.source, d.source);
    assert_eq!(store.drafts(Some(2019)).unwrap().len(), 2);

    // Every transition is in the audit log, the return with its reason.
    let log = store
        .audit_log(&AuditFilter {
            entity: Some("draft".into()),
            key_prefix: Some(id.to_string()),
            ..AuditFilter::default()
        })
        .unwrap();
    let moves: Vec<_> = log
        .iter()
        .rev()
        .filter(|e| e.action == "status")
        .map(|e| (e.new.clone().unwrap(), e.reason.clone()))
        .collect();
    assert_eq!(
        moves,
        [
            ("review".to_string(), String::new()),
            ("returned".to_string(), "请按批注修改".to_string()),
            ("review".to_string(), String::new()),
            ("approved".to_string(), String::new()),
        ]
    );
}

#[test]
fn approval_is_refused_while_the_data_have_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor(OFFICE).unwrap();
    let leader = store.actor(LEADER).unwrap();
    let id = approval::start(&mut store, &office, 2019, "annual-report", None).unwrap();
    store.submit_draft(&office, id).unwrap();
    // Break table 3's balance: one more new application without a result.
    add_to_office_value(&mut store, 0, "t3.new.natural", 1);
    let err = approval::approve(&mut store, &leader, id, &CheckOptions::default()).unwrap_err();
    assert!(
        matches!(err, DraftError::HasErrors { errors } if errors >= 2),
        "{err}"
    );
    assert_eq!(store.draft(id).unwrap().status, DraftStatus::Review);
    assert!(store.approval(id).unwrap().is_none());
}

/// Version 1 had no drafts; its upgraded file takes them. (That every released version's
/// file upgrades to the new schema with its data is `tests/store.rs`'s test.)
#[test]
fn a_released_version_1_file_takes_drafts_after_its_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("旧版 数据.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-v1.db"),
        &path,
    )
    .unwrap();
    let mut store = Store::open(&path).unwrap();
    let office = store.actor(OFFICE).unwrap();
    let id = approval::start(&mut store, &office, 2019, "work-summary", None).unwrap();
    assert_eq!(store.draft(id).unwrap().status, DraftStatus::Draft);
    drop(store);
    // Opening it again is not another upgrade.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.drafts(None).unwrap().len(), 1);
    store.integrity_check().unwrap();
}

#[test]
fn prose_checks_on_a_draft_link_a_typed_figure_and_see_last_years_report() {
    use nianbao::prose::ProseKind;
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo(dir.path());
    let office = store.actor(OFFICE).unwrap();
    let leader = store.actor(LEADER).unwrap();
    let id = approval::start(&mut store, &office, 2019, "annual-report", None).unwrap();
    let d = store.draft(id).unwrap();
    let data = approval::year_data(&store, 2019).unwrap();
    let doc = approval::compile_draft(&store, &d, &data).unwrap().document;
    // Compiled from the template, every number is linked: nothing is flagged.
    let report = approval::prose_report(&doc, &data, None);
    assert!(report.flags.is_empty(), "{:?}", report.flags);

    // The office types the figure of 新收申请 by hand instead of the live call.
    let value = nianbao::demo::data::national_values(2019)
        .into_iter()
        .find(|(c, _)| c == "t3.new.total")
        .unwrap()
        .1
        .to_string();
    let call = "{{ figure(\"t3.new.total\") }}";
    assert_eq!(
        d.source.matches(call).count(),
        1,
        "the template changed; update the test"
    );
    let typed = d.source.replace(call, &value);
    store.save_draft_source(&office, id, &typed).unwrap();
    let d = store.draft(id).unwrap();
    let doc = approval::compile_draft(&store, &d, &data).unwrap().document;
    let report = approval::prose_report(&doc, &data, None);
    let flag = report
        .flags
        .iter()
        .find(|f| f.kind == ProseKind::TypedNotLinked)
        .expect("the typed figure is flagged");
    let figure = flag.figure.as_ref().unwrap();
    assert_eq!(figure.metric, "t3.new.total");
    // One click: the typed number becomes the live figure again, and the flag goes.
    let linked = source_map::link_typed_number(
        &d.source,
        &doc.plain_text(),
        flag.number.as_ref().unwrap().range.clone(),
        &figure.metric,
    )
    .unwrap();
    assert_eq!(linked.matches(call).count(), 1);
    store.save_draft_source(&office, id, &linked).unwrap();
    let d = store.draft(id).unwrap();
    let doc = approval::compile_draft(&store, &d, &data).unwrap().document;
    assert!(approval::prose_report(&doc, &data, None).flags.is_empty());

    // Against last year's approved report, this year's sentences identical to it are
    // marked. The demo has no 2017 figures, so 2018's report has 缺数 figures and
    // `approval::approve` refuses; the store's own approval freezes its document anyway.
    assert_eq!(approval::last_year_text(&store, &d).unwrap(), None);
    let last = approval::start(&mut store, &office, 2018, "annual-report", None).unwrap();
    let last = store.draft(last).unwrap();
    let data_2018 = approval::year_data(&store, 2018).unwrap();
    let last_doc = approval::compile_draft(&store, &last, &data_2018)
        .unwrap()
        .document;
    store.submit_draft(&office, last.id).unwrap();
    assert!(matches!(
        approval::approve(&mut store, &leader, last.id, &CheckOptions::default()),
        Err(DraftError::HasErrors { .. })
    ));
    assert_eq!(approval::last_year_text(&store, &d).unwrap(), None);
    store.approve_draft(&leader, last.id, &last_doc).unwrap();
    let previous = approval::last_year_text(&store, &d)
        .unwrap()
        .expect("2018's approved report");
    assert_eq!(previous, last_doc.plain_text());
    let report = approval::prose_report(&doc, &data, Some(&previous));
    let same: Vec<_> = report
        .flags
        .iter()
        .filter(|f| f.kind == ProseKind::SameAsLastYear)
        .map(|f| f.sentence_text.clone())
        .collect();
    assert!(same.iter().any(|s| s.starts_with("本报告根据")), "{same:?}");
    // Sentences with this year's figures differ from last year's.
    assert!(!same.iter().any(|s| s.contains(&value)), "{same:?}");
}
