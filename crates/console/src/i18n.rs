//! The console's two languages: English and Urdu (written right to left), every string in both
//! (the compiler refuses a string without its Urdu), chosen per browser with a cookie.
//!
//! Questionnaire labels come from the questionnaire itself in the same language
//! (`shumari_forms::Form::text`); status names are the field app's (`ui/src/i18n/`).

use shumari_domain::review::Decision;
use shumari_domain::Status;

/// A language of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Urdu, right to left.
    Ur,
}

impl Lang {
    /// `en` or `ur`: the cookie's value, the `lang` attribute and the questionnaire's language.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ur => "ur",
        }
    }

    /// From a cookie's value; anything else is English.
    pub fn parse(s: &str) -> Lang {
        match s {
            "ur" => Lang::Ur,
            _ => Lang::En,
        }
    }

    /// `ltr` or `rtl`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ur => "rtl",
        }
    }

    /// The other language (what the switch on every page offers).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ur,
            Lang::Ur => Lang::En,
        }
    }

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ur => "اردو",
        }
    }

    /// A status's name.
    pub fn status(self, s: Status) -> &'static str {
        match (self, s) {
            (Lang::En, Status::Draft) => "Draft",
            (Lang::En, Status::Complete) => "Complete",
            (Lang::En, Status::Submitted) => "Submitted",
            (Lang::En, Status::Returned) => "Returned",
            (Lang::En, Status::Approved) => "Approved",
            (Lang::En, Status::Rejected) => "Rejected",
            (Lang::Ur, Status::Draft) => "مسودہ",
            (Lang::Ur, Status::Complete) => "مکمل",
            (Lang::Ur, Status::Submitted) => "جمع شدہ",
            (Lang::Ur, Status::Returned) => "واپس کیا گیا",
            (Lang::Ur, Status::Approved) => "منظور شدہ",
            (Lang::Ur, Status::Rejected) => "مسترد",
        }
    }

    /// "Returned by", "Approved by", ...: followed by the reviewer's name.
    pub fn decided_by(self, d: Decision) -> &'static str {
        match (self, d) {
            (Lang::En, Decision::Approved) => "Approved by",
            (Lang::En, Decision::Returned) => "Returned by",
            (Lang::En, Decision::Rejected) => "Rejected by",
            (Lang::Ur, Decision::Approved) => "منظور کرنے والے:",
            (Lang::Ur, Decision::Returned) => "واپس کرنے والے:",
            (Lang::Ur, Decision::Rejected) => "مسترد کرنے والے:",
        }
    }

    /// A text in this language: one of [`T`], or of a screen's own list made with [`texts!`].
    pub fn t(self, t: impl Text) -> &'static str {
        t.get(self)
    }
}

/// A fixed text of the console, in both languages.
pub trait Text: Copy {
    /// The text in `lang`.
    fn get(self, lang: Lang) -> &'static str;
}

/// A list of fixed texts, each in English and Urdu: `texts! { pub enum Name; Key => "en", "ur"; ... }`.
/// The shared texts are [`T`]; a screen with texts of its own keeps them beside its view in a list
/// of its own, so screens never compete for one list.
macro_rules! texts {
    ($vis:vis enum $enum:ident; $($name:ident => $en:literal, $ur:literal;)*) => {
        /// Fixed texts of the console (each variant's doc is its English).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $enum {
            $(
                #[doc = $en]
                $name,
            )*
        }

        impl $crate::i18n::Text for $enum {
            fn get(self, lang: $crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        ($enum::$name, $crate::i18n::Lang::En) => $en,
                        ($enum::$name, $crate::i18n::Lang::Ur) => $ur,
                    )*
                }
            }
        }
    };
}
pub(crate) use texts;

texts! {
    pub enum T;
    Console => "Shumari registry console", "شماری رجسٹری کنسول";
    SignIn => "Sign in", "سائن ان کریں";
    SignOut => "Sign out", "سائن آؤٹ";
    UserId => "User id", "صارف آئی ڈی";
    Password => "Password", "پاس ورڈ";
    Code => "Code from your authenticator app", "تصدیقی ایپ کا کوڈ";
    SecondFactor => "Second step of sign-in", "سائن ان کا دوسرا مرحلہ";
    Verify => "Verify", "تصدیق کریں";
    WrongSignIn => "The user id or password is not right.", "صارف آئی ڈی یا پاس ورڈ درست نہیں۔";
    WrongCode => "The code is not right. Try the newest code.", "کوڈ درست نہیں۔ تازہ ترین کوڈ آزمائیں۔";
    Locked => "Too many failed sign-ins. Try again after 15 minutes.", "بہت زیادہ ناکام کوششیں۔ 15 منٹ بعد دوبارہ کوشش کریں۔";
    TabletRole => "This role works on a tablet, not at the console.", "یہ کردار ٹیبلٹ پر کام کرتا ہے، کنسول پر نہیں۔";
    TotpNeeded => "An administrator needs a second factor: ask for `shumari registry user totp` to be run.", "منتظم کے لیے دوسرا مرحلہ ضروری ہے: `shumari registry user totp` چلوائیں۔";
    Disabled => "This user is disabled.", "یہ صارف غیر فعال ہے۔";
    Home => "Home", "صفحۂ اول";
    Households => "Households", "گھرانے";
    Queues => "Queues", "قطاریں";
    AwaitingReview => "Submitted, awaiting review", "جمع شدہ، جائزے کے منتظر";
    ReturnedQueue => "Returned to surveyors", "شمار کنندگان کو واپس";
    ApprovedQueue => "Approved", "منظور شدہ";
    AllHouseholds => "All households in your areas", "آپ کے علاقوں کے تمام گھرانے";
    YourAreas => "Your areas", "آپ کے علاقے";
    NoHouseholdData => "Your role manages users and devices and reads no household data.", "آپ کا کردار صارفین اور آلات کا انتظام کرتا ہے اور گھرانوں کا ڈیٹا نہیں دیکھتا۔";
    Area => "Area", "علاقہ";
    Status => "Status", "حیثیت";
    AnyStatus => "Any status", "کوئی بھی حیثیت";
    Search => "Name, CNIC or reference", "نام، شناختی کارڈ یا حوالہ نمبر";
    Filter => "Show", "دکھائیں";
    Reference => "Reference", "حوالہ نمبر";
    Head => "Head of household", "سربراہِ خانہ";
    Cnic => "CNIC / B-form", "شناختی کارڈ / ب فارم";
    MembersCount => "Members", "افراد";
    Conflicts => "Open conflicts", "حل طلب تضادات";
    Updated => "Updated", "تازہ کاری";
    NextPage => "Next page", "اگلا صفحہ";
    FirstPage => "First page", "پہلا صفحہ";
    NoneFound => "No household matches.", "کوئی گھرانہ نہیں ملا۔";
    Answers => "Answers", "جوابات";
    OtherAnswers => "Other answers", "دیگر جوابات";
    Members => "Members", "افراد";
    Line => "Line", "نمبر";
    Name => "Name", "نام";
    Relation => "Relation to head", "سربراہ سے رشتہ";
    Sex => "Sex", "جنس";
    Age => "Age", "عمر";
    DateOfBirth => "Date of birth", "تاریخِ پیدائش";
    Location => "Location", "مقام";
    NoLocation => "No GPS location was recorded.", "کوئی جی پی ایس مقام درج نہیں۔";
    Accuracy => "accuracy", "درستگی";
    OpenMap => "Open in OpenStreetMap", "اوپن اسٹریٹ میپ میں کھولیں";
    NoConflicts => "No open conflicts.", "کوئی حل طلب تضاد نہیں۔";
    Value => "Value", "قدر";
    Author => "Author", "مصنف";
    Review => "Review", "جائزہ";
    NotReviewed => "Not reviewed yet.", "ابھی جائزہ نہیں ہوا۔";
    Comment => "Comment", "تبصرہ";
    CommentHint => "Required to return or reject: the surveyor reads it on the tablet.", "واپس یا مسترد کرنے کے لیے ضروری: شمار کنندہ اسے ٹیبلٹ پر پڑھے گا۔";
    QuestionsConcerned => "Questions concerned", "متعلقہ سوالات";
    Approve => "Approve", "منظور کریں";
    Return => "Return to surveyor", "شمار کنندہ کو واپس کریں";
    Reject => "Reject", "مسترد کریں";
    Decided => "The decision was recorded. It reaches the tablet with its next sync.", "فیصلہ درج ہو گیا۔ یہ اگلی ہم آہنگی پر ٹیبلٹ تک پہنچے گا۔";
    NoDecisionNow => "No decision can be made on this household in its present status.", "اس حیثیت میں اس گھرانے پر فیصلہ نہیں ہو سکتا۔";
    NotFound => "Not found.", "نہیں ملا۔";
    Forbidden => "Not allowed.", "اجازت نہیں۔";
    BadForm => "The form was not accepted (it may be stale: reload the page).", "فارم قبول نہیں ہوا (شاید پرانا ہے: صفحہ دوبارہ کھولیں)۔";
    Failed => "Something went wrong at the registry.", "رجسٹری میں کچھ غلط ہو گیا۔";
    Back => "Back", "واپس";
    Yes => "yes", "ہاں";
    No => "no", "نہیں";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urdu_is_right_to_left_and_every_status_has_a_name_in_both() {
        assert_eq!(Lang::Ur.dir(), "rtl");
        assert_eq!(Lang::parse("ur"), Lang::Ur);
        assert_eq!(Lang::parse("fr"), Lang::En);
        for s in Status::ALL {
            assert_ne!(Lang::En.status(s), Lang::Ur.status(s));
        }
    }
}
