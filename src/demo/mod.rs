//! The demo database (`nianbao demo`): the data of [`data`] written into a new file.
//!
//! Everything is written through the store's public API as the office user, so the demo
//! exercises the same permission and audit paths as real use.

pub mod data;

use std::path::Path;

use chrono::NaiveDate;

use crate::model::{Division, OFFICE, Role};
use crate::store::{Actor, NewUser, Store, StoreError, ValueWrite};

use data::{AGENCY, AGENCY_SHORT, DIVISIONS, OFFICE_USER, OTHER_USERS, catalogue, values};

/// Creates the demo file at `path`, complete or not at all (refusing an existing file):
/// agency, divisions,
/// users, the 2018 and 2019 catalogues and values, and month statuses — 2018 locked,
/// 2019 locked to November, December handed in by most divisions and still open for two.
pub fn create(path: &Path) -> Result<Store, StoreError> {
    let (store, ()) = Store::create_with(path, AGENCY, |store| {
        let setup = Actor::setup();
        store.set_agency_short(&setup, AGENCY_SHORT)?;
        let closing = NaiveDate::from_ymd_opt(2019, 12, 24).expect("demo constant");
        store.set_report_date(&setup, 2019, closing)?;
        for (i, (code, name, ..)) in DIVISIONS.iter().enumerate() {
            let division = Division {
                code: code.to_string(),
                name: name.to_string(),
                sort_order: i as i64 + 1,
            };
            store.put_division(&setup, &division)?;
        }
        for (code, _, login, name, phone) in DIVISIONS {
            let role = if code == OFFICE {
                Role::Office
            } else {
                Role::Contact
            };
            store.add_user(
                &setup,
                &NewUser {
                    login: login.into(),
                    display_name: name.into(),
                    role,
                    division: Some(code.into()),
                    phone: phone.into(),
                    password: None,
                },
            )?;
        }
        for (login, name, role) in OTHER_USERS {
            store.add_user(
                &setup,
                &NewUser {
                    login: login.into(),
                    display_name: name.into(),
                    role,
                    division: (role == Role::Office).then(|| OFFICE.to_string()),
                    phone: String::new(),
                    password: None,
                },
            )?;
        }
        let office = store.actor(OFFICE_USER)?;
        for year in [2018, 2019] {
            store.put_metrics(&office, year, &catalogue())?;
            let writes: Vec<ValueWrite> = values(year)
                .into_iter()
                .map(|(division, metric, month, value)| ValueWrite {
                    year,
                    month,
                    division,
                    metric,
                    value: Some(value),
                    note: String::new(),
                    seen: None,
                })
                .collect();
            store.write_values(&office, &writes, |_, _| {})?;
        }
        for (code, ..) in DIVISIONS {
            for month in 1..=12 {
                store.lock_month(&office, 2018, month, code)?;
            }
            for month in 1..=11 {
                store.lock_month(&office, 2019, month, code)?;
            }
            if !matches!(code, "credit" | "registration") {
                store.submit_month(&office, 2019, 12, code)?;
            }
        }
        Ok(())
    })?;
    Ok(store)
}
