//! Attribution triggers and the source they name, shared by `unknown-source` and
//! `unattributed-quote`.
