//! Small numbers as text: the posting lists of the index are strings of base-64 digits,
//! which a browser reads with `charCodeAt` far faster than it parses JSON arrays, and which
//! need no escaping inside a JavaScript string.
//!
//! A number is written most significant group first, five bits per character; the sixth
//! bit says another character follows. So 0–31 take one character, up to 1023 two.

pub const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Appends `n` to `out`.
pub fn push(out: &mut String, mut n: u64) {
    let mut groups = [0u8; 13];
    let mut len = 0;
    loop {
        groups[len] = (n & 31) as u8;
        len += 1;
        n >>= 5;
        if n == 0 {
            break;
        }
    }
    for k in (0..len).rev() {
        let more = if k > 0 { 32 } else { 0 };
        out.push(ALPHABET[(groups[k] | more) as usize] as char);
    }
}

/// Reads numbers back from a string written by [`push`].
pub struct Reader<'a> {
    bytes: &'a [u8],
    pub at: usize,
}

fn digit(b: u8) -> u64 {
    match b {
        b'0'..=b'9' => (b - b'0') as u64,
        b'A'..=b'Z' => (b - b'A' + 10) as u64,
        b'a'..=b'z' => (b - b'a' + 36) as u64,
        b'-' => 62,
        _ => 63,
    }
}

impl<'a> Reader<'a> {
    pub fn new(s: &'a str) -> Reader<'a> {
        Reader { bytes: s.as_bytes(), at: 0 }
    }

    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    pub fn read(&mut self) -> u64 {
        let mut n = 0;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            let d = digit(b);
            n = n * 32 + (d & 31);
            if d & 32 == 0 {
                break;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let nums = [0, 1, 31, 32, 1023, 1024, 99_999, u32::MAX as u64];
        let mut s = String::new();
        for &n in &nums {
            push(&mut s, n);
        }
        assert_eq!(&s[..3], "01V");
        let mut r = Reader::new(&s);
        let back: Vec<u64> = nums.iter().map(|_| r.read()).collect();
        assert_eq!(back, nums);
        assert!(r.done());
    }
}
