//! Fuzz target: `markdown::shortcodes::find` on any UTF-8 text must not panic, and every range it returns
//! must be in bounds, on char boundaries, and hold the body inside the call.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let boundary = |offset: usize| offset <= text.len() && text.is_char_boundary(offset);
    match picket::markdown::shortcodes::find(text) {
        Ok(calls) => {
            let mut previous_end = 0;
            for call in &calls {
                let range = &call.range;
                assert!(range.start <= range.end, "{range:?} is backwards");
                assert!(boundary(range.start) && boundary(range.end), "{range:?} is not on char boundaries");
                assert!(range.start >= previous_end, "{range:?} overlaps the call before it");
                previous_end = range.end;
                if let Some(body) = &call.body {
                    assert!(body.start <= body.end, "body {body:?} is backwards");
                    assert!(boundary(body.start) && boundary(body.end), "body {body:?} is not on char boundaries");
                    assert!(range.start <= body.start && body.end <= range.end, "body {body:?} is outside {range:?}");
                }
            }
        }
        Err(err) => assert!(err.offset <= text.len(), "error offset {} is past the end", err.offset),
    }
});
