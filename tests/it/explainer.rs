//! The explainer itself: this repository's site builds, and every page is snapshotted.

use picket::config::Overrides;

use crate::support::render;

#[test]
fn explainer_builds_and_every_page_matches_its_snapshot() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dump = render(root, &Overrides::default()).unwrap_or_else(|e| panic!("the explainer fails to build:\n{e}"));
    insta::assert_snapshot!("explainer", dump);
}
