//! Frame time of the entry grid (divan), run with `cargo bench --bench ui`.
//!
//! One division with 200 monthly metrics × 12 months, this year and last year filled
//! (4,800 values), the grid drawn in a 1400×900 window: a frame is egui's pass (layout,
//! painting shapes) plus tessellation — everything but the GPU upload. `still` redraws
//! the same view; `scrolling` moves the cursor to another row every frame, so the grid
//! scrolls and paints new rows. The target is well under 8 ms a frame (SPEC §6: 60 fps).

use std::cell::RefCell;

use divan::Bencher;
use nianbao::model::{Aggregation, Division, Metric, Period, Role, ValueKind};
use nianbao::store::{Actor, NewUser, Store, ValueWrite};
use nianbao::ui::entry::EntryGrid;
use rust_decimal::Decimal;

#[path = "support/frame.rs"]
mod support;

fn main() {
    divan::main();
}

const METRICS: usize = 200;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    actor: Actor,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(&dir.path().join("bench.nianbao"), "测试机关").unwrap();
    let setup = Actor::setup();
    store
        .put_division(
            &setup,
            &Division {
                code: "big".into(),
                name: "大处室".into(),
                sort_order: 1,
            },
        )
        .unwrap();
    store
        .add_user(
            &setup,
            &NewUser {
                login: "big.contact".into(),
                display_name: "填报员".into(),
                role: Role::Contact,
                division: Some("big".into()),
                phone: String::new(),
                password: None,
            },
        )
        .unwrap();
    let metrics: Vec<Metric> = (0..METRICS)
        .map(|i| Metric {
            code: format!("big.m{i:03}"),
            name: format!("第{i}项指标：政府信息公开工作情况统计"),
            unit: if i % 3 == 0 { "万元" } else { "件" }.into(),
            kind: if i % 3 == 0 {
                ValueKind::Amount { places: 2 }
            } else {
                ValueKind::Count
            },
            aggregation: Aggregation::Sum,
            period: Period::Monthly,
            owners: vec!["big".into()],
            words: vec![],
            sort_order: i as i64,
        })
        .collect();
    for year in [2018, 2019] {
        store.put_metrics(&setup, year, &metrics).unwrap();
        let writes: Vec<ValueWrite> = metrics
            .iter()
            .enumerate()
            .flat_map(|(i, m)| {
                (1..=12u8).map(move |month| ValueWrite {
                    year,
                    month,
                    division: "big".into(),
                    metric: m.code.clone(),
                    value: Some(Decimal::new((i as i64 * 37 + month as i64 * 101) % 9000, 0)),
                    note: String::new(),
                    seen: None,
                })
            })
            .collect();
        store.write_values(&setup, &writes, |_, _| {}).unwrap();
    }
    let actor = store.actor("big.contact").unwrap();
    Fixture {
        _dir: dir,
        store,
        actor,
    }
}

fn frame(ctx: &egui::Context, grid: &mut EntryGrid, f: &mut Fixture) {
    support::frame(ctx, |ui| {
        grid.ui(ui, &mut f.store, &f.actor);
    });
}

fn setup() -> (egui::Context, EntryGrid, Fixture) {
    let f = fixture();
    let ctx = egui::Context::default();
    nianbao::ui::fonts::install(&ctx);
    let grid = EntryGrid::for_user(
        &f.store,
        &f.actor,
        &nianbao::ui::widgets::OpenYears::read(&f.store)
            .unwrap()
            .expect("an open year"),
    );
    assert_eq!(grid.rows().len(), METRICS);
    (ctx, grid, f)
}

#[divan::bench]
fn entry_grid_still(bencher: Bencher) {
    let (ctx, mut grid, mut f) = setup();
    for _ in 0..5 {
        frame(&ctx, &mut grid, &mut f);
    }
    bencher.bench_local(|| frame(&ctx, &mut grid, &mut f));
}

#[divan::bench]
fn entry_grid_scrolling(bencher: Bencher) {
    let (ctx, mut grid, mut f) = setup();
    for _ in 0..5 {
        frame(&ctx, &mut grid, &mut f);
    }
    let row = RefCell::new(0usize);
    bencher.bench_local(|| {
        let mut r = row.borrow_mut();
        *r = (*r + 37) % METRICS;
        grid.set_cursor(*r, *r % 12);
        frame(&ctx, &mut grid, &mut f);
    });
}
