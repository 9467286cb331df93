//! `picket serve`: not yet written (see issue 4).

use crate::cli::ServeArgs;
use crate::error::Errors;

pub fn run(_args: ServeArgs) -> Result<(), Errors> {
    Err(crate::cli::usage_error("picket serve is not available yet; use picket build"))
}
