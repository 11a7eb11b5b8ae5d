//! Every sentence the citizen's pages and SMS replies say, in English and Urdu, in one list.
//!
//! Plain words for readers who may read little: short sentences, no registry terms ("PMT" only with
//! its meaning), an icon beside each answer. A text is a pair, so a page cannot show one language
//! without the other having its sentence.

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Urdu (right to left).
    Ur,
}

impl Lang {
    /// From a `lang` parameter: `ur` is Urdu, anything else English.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("ur") => Lang::Ur,
            _ => Lang::En,
        }
    }

    /// The HTML `lang` code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ur => "ur",
        }
    }

    /// The writing direction.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ur => "rtl",
        }
    }

    /// The other language (the switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ur,
            Lang::Ur => Lang::En,
        }
    }

    /// The sentence in this language.
    pub fn t(self, x: Tx) -> &'static str {
        match self {
            Lang::En => x.0,
            Lang::Ur => x.1,
        }
    }
}

/// One sentence: (English, Urdu).
#[derive(Debug, Clone, Copy)]
pub struct Tx(pub &'static str, pub &'static str);

pub const LANG_NAME: Tx = Tx("English", "اردو");
pub const SITE: Tx = Tx("Household status", "گھرانے کی حیثیت");
pub const TITLE: Tx = Tx(
    "Check your household's status",
    "اپنے گھرانے کی حیثیت معلوم کریں",
);
pub const INTRO: Tx = Tx(
    "Write the CNIC number of an adult in your household and the date of issue printed on the card.",
    "اپنے گھرانے کے کسی بالغ فرد کا شناختی کارڈ نمبر اور کارڈ پر درج تاریخ اجراء لکھیں۔",
);
pub const CNIC: Tx = Tx("CNIC number", "شناختی کارڈ نمبر");
pub const CNIC_HINT: Tx = Tx(
    "13 digits, like 35202-1234567-1",
    "13 ہندسے، مثلاً 35202-1234567-1",
);
pub const ISSUED: Tx = Tx("Date of issue", "تاریخ اجراء");
pub const DAY: Tx = Tx("Day", "دن");
pub const MONTH: Tx = Tx("Month", "مہینہ");
pub const YEAR: Tx = Tx("Year", "سال");
pub const CHECK: Tx = Tx("Check", "معلوم کریں");
pub const PRIVACY: Tx = Tx(
    "Only your household's status is shown. Every check is recorded.",
    "صرف آپ کے گھرانے کی حیثیت دکھائی جاتی ہے۔ ہر جانچ کا ریکارڈ رکھا جاتا ہے۔",
);
pub const BAD_CNIC: Tx = Tx(
    "A CNIC number has 13 digits, like 35202-1234567-1.",
    "شناختی کارڈ نمبر 13 ہندسوں کا ہوتا ہے، مثلاً 35202-1234567-1۔",
);
pub const BAD_DATE: Tx = Tx(
    "Write the date of issue as day, month and year, like 14 8 2015.",
    "تاریخ اجراء دن، مہینہ اور سال میں لکھیں، مثلاً 14 8 2015۔",
);
pub const NO_MATCH_TITLE: Tx = Tx("No household found", "کوئی گھرانہ نہیں ملا");
pub const NO_MATCH: Tx = Tx(
    "We found no household with this CNIC number and date of issue. Check both and try again. If your household was never surveyed, ask at your district office.",
    "اس شناختی کارڈ نمبر اور تاریخ اجراء کے ساتھ کوئی گھرانہ نہیں ملا۔ دونوں دوبارہ دیکھ کر کوشش کریں۔ اگر آپ کے گھرانے کا سروے نہیں ہوا تو اپنے ضلعی دفتر سے پوچھیں۔",
);
pub const LOCKED_TITLE: Tx = Tx("Too many tries", "بہت زیادہ کوششیں");
pub const LOCKED: Tx = Tx(
    "For your safety, checking is paused. Try again after this time:",
    "آپ کے تحفظ کے لیے جانچ روک دی گئی ہے۔ اس وقت کے بعد دوبارہ کوشش کریں:",
);
pub const TRY_AGAIN: Tx = Tx("Try again", "دوبارہ کوشش کریں");
pub const SURVEYED: Tx = Tx("Surveyed", "سروے ہوا");
pub const REFERENCE: Tx = Tx("Household number", "گھرانے کا نمبر");
pub const STATUS: Tx = Tx("Status", "حیثیت");
pub const BEING_SURVEYED: Tx = Tx(
    "The survey is not finished yet.",
    "سروے ابھی مکمل نہیں ہوا۔",
);
pub const UNDER_REVIEW: Tx = Tx(
    "The district office is checking your data.",
    "ضلعی دفتر آپ کے کوائف کی جانچ کر رہا ہے۔",
);
pub const BEING_CORRECTED: Tx = Tx(
    "The surveyor is correcting your data.",
    "سروے کرنے والا آپ کے کوائف درست کر رہا ہے۔",
);
pub const ACCEPTED: Tx = Tx(
    "Your household is in the registry.",
    "آپ کا گھرانہ رجسٹری میں شامل ہے۔",
);
pub const NOT_ACCEPTED: Tx = Tx(
    "Your household's data was not accepted.",
    "آپ کے گھرانے کے کوائف قبول نہیں ہوئے۔",
);
pub const APPEAL: Tx = Tx(
    "If you think this is wrong, report it below or visit your district office.",
    "اگر آپ کے خیال میں یہ غلط ہے تو نیچے شکایت درج کریں یا اپنے ضلعی دفتر جائیں۔",
);
pub const MEMBERS: Tx = Tx("Members", "افراد");
pub const YOU: Tx = Tx("(you)", "(آپ)");
pub const ELIGIBILITY: Tx = Tx("Eligibility", "اہلیت");
pub const ELIGIBLE: Tx = Tx("Eligible", "اہل");
pub const NOT_ELIGIBLE: Tx = Tx("Not eligible", "اہل نہیں");
pub const PROGRAMMES: Tx = Tx("Programmes", "پروگرام");
pub const PAYMENTS: Tx = Tx("Payments", "ادائیگیاں");
pub const GRIEVANCES: Tx = Tx("Your complaints", "آپ کی شکایات");
pub const NOTHING_YET: Tx = Tx("Nothing yet.", "ابھی کچھ نہیں۔");
pub const REPORT: Tx = Tx("Report a problem", "مسئلہ درج کریں");
pub const NOT_PAID: Tx = Tx("I was not paid", "مجھے ادائیگی نہیں ہوئی");
pub const PAID_LESS: Tx = Tx("I received less than I should", "مجھے کم رقم ملی");
pub const WRONG_DATA: Tx = Tx("My data is wrong", "میرے کوائف غلط ہیں");
pub const EXCLUDED: Tx = Tx(
    "I was left out wrongly",
    "مجھے غلط طور پر شامل نہیں کیا گیا",
);
pub const WHICH_PAYMENT: Tx = Tx("Which payment?", "کون سی ادائیگی؟");
pub const RECEIVED: Tx = Tx("Amount you received (rupees)", "آپ کو ملی رقم (روپے)");
pub const PHONE: Tx = Tx("Your phone number", "آپ کا فون نمبر");
pub const DETAILS: Tx = Tx("What happened?", "کیا ہوا؟");
pub const SEND: Tx = Tx("Send", "بھیجیں");
pub const FILED_TITLE: Tx = Tx("Complaint registered", "شکایت درج ہو گئی");
pub const FILED: Tx = Tx(
    "Keep this tracking number. You can see its progress on this page.",
    "یہ ٹریکنگ نمبر سنبھال کر رکھیں۔ آپ اس صفحے پر اس کی پیش رفت دیکھ سکتے ہیں۔",
);
pub const TRACKING: Tx = Tx("Tracking number", "ٹریکنگ نمبر");
pub const EXPIRED: Tx = Tx(
    "This page has expired. Check your status again to report a problem.",
    "یہ صفحہ پرانا ہو گیا ہے۔ مسئلہ درج کرنے کے لیے دوبارہ اپنی حیثیت معلوم کریں۔",
);
pub const BAD_AMOUNT: Tx = Tx(
    "Write the amount in rupees, like 9000.",
    "رقم روپوں میں لکھیں، مثلاً 9000۔",
);
pub const BAD_COMPLAINT: Tx = Tx(
    "Choose what the problem is and write a few words.",
    "مسئلے کی قسم منتخب کریں اور چند الفاظ لکھیں۔",
);
pub const BAD_PHONE: Tx = Tx(
    "Write your phone number, like 0300-1234567, so the office can tell you what it did.",
    "اپنا فون نمبر لکھیں، مثلاً 0300-1234567، تاکہ دفتر آپ کو بتا سکے کہ کیا کیا گیا۔",
);
pub const BACK: Tx = Tx("Back", "واپس");
