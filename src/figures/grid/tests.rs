//! The week grid in words: runs of higher-rate hours and the sentence each day gets.

use super::{describe_day, time_of_day};

fn day(ranges: &[(usize, usize)]) -> [bool; 24] {
    let mut hours = [false; 24];
    for &(from, to) in ranges {
        hours[from..to].iter_mut().for_each(|h| *h = true);
    }
    hours
}

fn check(ranges: &[(usize, usize)], expected: Option<&str>) {
    assert_eq!(describe_day(&day(ranges)).as_deref(), expected);
}

#[test]
fn weekday_nights_read_as_before_and_from() {
    check(&[(0, 7), (19, 24)], Some("Before 7am and from 7pm"));
}

#[test]
fn a_whole_day_reads_all_day() {
    check(&[(0, 24)], Some("All day"));
}

#[test]
fn a_day_without_higher_rate_hours_has_no_words() {
    check(&[], None);
}

#[test]
fn ranges_inside_the_day_have_both_ends() {
    check(&[(9, 12), (13, 17)], Some("From 9am to midday and from 1pm to 5pm"));
    check(&[(0, 1), (12, 13), (23, 24)], Some("Before 1am, from midday to 1pm and from 11pm"));
}

#[test]
fn times_are_twelve_hour_with_midnight_and_midday() {
    let times: Vec<String> = [0, 1, 11, 12, 13, 23].into_iter().map(time_of_day).collect();
    assert_eq!(times, ["midnight", "1am", "11am", "midday", "1pm", "11pm"]);
}
