//! The same test on both engines: `on_both_engines! { fn name(db: &Scratch) { … } }`
//! makes `name::sqlite` and `name::postgres`, each calling the body with a fresh store
//! place ([`Scratch`]). Without `NIANBAO_TEST_PG` the PostgreSQL one prints a note and
//! passes, except under CI (`CI=true`), where it fails.

pub use nianbao::store::Engine;
pub use nianbao::store::scratch::Scratch;

macro_rules! on_both_engines {
    ($(fn $name:ident($db:ident: &Scratch) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($db: &$crate::engines::Scratch) $body

            #[test]
            fn sqlite() {
                let db = $crate::engines::Scratch::new($crate::engines::Engine::Sqlite, "")
                    .expect("SQLite is always there");
                body(&db);
            }

            #[test]
            fn postgres() {
                let test = concat!(module_path!(), "::postgres");
                if let Some(db) =
                    $crate::engines::Scratch::new($crate::engines::Engine::Postgres, test)
                {
                    body(&db);
                }
            }
        }
    )*};
}
