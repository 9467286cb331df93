//! Fuzz target: any UTF-8 text as a whole Markdown file -> `front_matter::parse` must not panic,
//! the body must start on a char boundary, and every error must render with a valid location.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match picket::content::front_matter::parse(Path::new("content/a.md"), text) {
        Ok((_, split)) => {
            assert!(text.is_char_boundary(split.body_offset), "body offset {} is inside a char", split.body_offset);
            assert_eq!(&text[split.body_offset..], split.body);
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "an error result holds no error");
            for err in &errors.0 {
                if let Some(location) = err.location {
                    assert!(location.line >= 1 && location.column >= 1, "location {location:?} is not 1-based");
                }
            }
            let _ = errors.to_string();
        }
    }
});
