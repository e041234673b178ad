#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| shipshape::fuzzing::yaml_k8s(data));
