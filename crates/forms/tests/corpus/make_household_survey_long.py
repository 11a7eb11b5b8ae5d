"""Writes household_survey_long.md: the corpus's largest form, a multi-section household survey
(identification, roster, housing, water and sanitation, assets, agriculture, livestock, food
consumption, expenditure, food security, shocks, credit, transfers) in pyxform's markdown notation.
Its sections repeat one pattern per item (an asset owned? how many?), so it is written by this
script rather than by hand; the markdown is what is reviewed and what the tests read.
Run: python3 make_household_survey_long.py (in this folder)."""

COLS = ["type", "name", "label::English (en)", "hint::English (en)", "required", "relevant",
        "constraint", "constraint_message::English (en)", "calculation", "appearance", "repeat_count"]
rows = []
choices = []


def q(type_, name, label="", hint="", required="", relevant="", constraint="", message="",
      calculation="", appearance="", repeat_count=""):
    rows.append([type_, name, label, hint, required, relevant, constraint, message, calculation,
                 appearance, repeat_count])


def choice_list(name, items):
    for value, label in items:
        choices.append([name, value, label])


def slug(label):
    return "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_")


choice_list("yes_no", [("yes", "Yes"), ("no", "No")])
choice_list("district", [("lahore", "Lahore"), ("multan", "Multan"), ("rahim_yar_khan", "Rahim Yar Khan"),
                         ("dera_ghazi_khan", "Dera Ghazi Khan"), ("thar", "Tharparkar")])
choice_list("relation", [("head", "Head"), ("spouse", "Spouse"), ("son", "Son"), ("daughter", "Daughter"),
                         ("parent", "Parent"), ("sibling", "Sibling"), ("grandchild", "Grandchild"),
                         ("other", "Other relative")])
choice_list("sex", [("male", "Male"), ("female", "Female"), ("transgender", "Transgender")])
choice_list("marital", [("never_married", "Never married"), ("married", "Married"),
                        ("widowed", "Widowed"), ("divorced", "Divorced")])
choice_list("education", [("none", "None"), ("primary", "Primary"), ("middle", "Middle"),
                          ("matric", "Matric"), ("intermediate", "Intermediate"), ("degree", "Degree")])
choice_list("occupation", [("none", "Not working"), ("agriculture", "Own farm"), ("labour", "Daily labour"),
                           ("salaried", "Salaried"), ("business", "Own business"), ("student", "Student"),
                           ("homemaker", "Homemaker")])
choice_list("difficulty", [("no_difficulty", "No difficulty"), ("some", "Some difficulty"),
                           ("a_lot", "A lot of difficulty"), ("cannot", "Cannot do at all")])
choice_list("wall", [("brick", "Baked bricks"), ("mud", "Mud bricks"), ("wood", "Wood"), ("other", "Other")])
choice_list("roof", [("rcc", "Concrete"), ("iron", "Iron sheets"), ("wood", "Wood and bamboo"),
                     ("thatch", "Thatch")])
choice_list("floor", [("earth", "Earth"), ("cement", "Cement"), ("tiles", "Tiles")])
choice_list("tenure", [("own", "Own"), ("rent", "Rent"), ("free", "Rent free")])
choice_list("water", [("piped", "Piped into the dwelling"), ("hand_pump", "Hand pump"),
                      ("motor_pump", "Motor pump"), ("well", "Dug well"), ("tanker", "Tanker"),
                      ("surface", "River, pond or canal")])
choice_list("toilet", [("flush", "Flush to sewer"), ("septic", "Flush to septic tank"),
                       ("pit", "Pit latrine"), ("none", "No toilet")])
choice_list("fuel", [("gas", "Natural gas"), ("lpg", "LPG"), ("wood", "Firewood"), ("dung", "Dung cakes"),
                     ("crop", "Crop residue")])
choice_list("severity", [("mild", "Recovered fully"), ("partial", "Partly recovered"),
                         ("none", "Not recovered")])
choice_list("lender", [("bank", "Bank"), ("microfinance", "Microfinance"), ("relative", "Relative or friend"),
                       ("shopkeeper", "Shopkeeper"), ("landlord", "Landlord")])
choice_list("purpose", [("food", "Food"), ("health", "Health"), ("business", "Business"),
                        ("wedding", "Wedding"), ("house", "House"), ("other", "Other")])

# A. Identification
q("start", "start")
q("end", "end")
q("today", "today")
q("deviceid", "deviceid")
q("begin_group", "identification", "A. Identification", appearance="field-list")
q("text", "enumerator", "Enumerator name", required="yes")
q("select_one district", "district", "District", required="yes", appearance="minimal")
q("text", "tehsil", "Tehsil", required="yes")
q("text", "village", "Village or settlement", required="yes")
q("text", "hh_number", "Household number on the listing", hint="Three digits", required="yes",
  constraint="regex(., '^[0-9]{3}$')", message="Three digits, for example 007")
q("geopoint", "hh_gps", "Household location", required="yes")
q("date", "interview_date", "Date of the interview", required="yes", constraint=". <= today()",
  message="Not in the future")
q("select_one yes_no", "consent", "Does the respondent agree to be interviewed?", required="yes")
q("text", "respondent", "Respondent's name", required="yes", relevant="${consent} = 'yes'")
q("end_group", "")
q("note", "no_consent", "Thank the respondent and end the interview.", relevant="${consent} = 'no'")

# B. Roster
q("begin_group", "roster_section", "B. Household roster", relevant="${consent} = 'yes'")
q("integer", "hh_size", "How many people usually live and eat here?", required="yes",
  constraint=". >= 1 and . <= 12", message="Between 1 and 12")
q("begin_repeat", "members", "Member", repeat_count="${hh_size}")
q("text", "name", "Name", required="yes")
q("select_one relation", "relation", "Relation to the head", required="yes",
  constraint="position(..) > 1 or . = 'head'", message="The first member is the head")
q("select_one sex", "sex", "Sex", required="yes")
q("integer", "age", "Age in completed years", required="yes", constraint=". >= 0 and . <= 110",
  message="Between 0 and 110")
q("text", "id_number", "CNIC or B-form number", hint="13 digits with dashes", required="${age} >= 18",
  constraint="regex(., '^[0-9]{5}-[0-9]{7}-[0-9]$')", message="Write it as 12345-1234567-1")
q("select_one marital", "marital_status", "Marital status", required="yes", relevant="${age} >= 15")
q("select_one yes_no", "literate", "Can read and write a simple sentence?", required="yes",
  relevant="${age} >= 5")
q("select_one education", "education", "Highest level completed", required="yes", relevant="${age} >= 5")
q("select_one yes_no", "in_school", "Attending school now?", required="yes",
  relevant="${age} >= 5 and ${age} <= 18")
q("select_one occupation", "occupation", "Main activity last month", required="yes", relevant="${age} >= 10")
q("decimal", "income", "Earnings last month (PKR)", required="yes",
  relevant="${occupation} != 'none' and ${occupation} != 'student' and ${occupation} != 'homemaker'",
  constraint=". >= 0 and . <= 1000000", message="Between 0 and 1,000,000")
for d in ["seeing", "hearing", "walking", "remembering", "selfcare", "communicating"]:
    q("select_one difficulty", f"wg_{d}", f"Difficulty {d}", required="yes", relevant="${age} >= 5",
      appearance="likert")
q("select_one yes_no", "sick_last_month", "Ill or injured in the last 30 days?", required="yes")
q("select_one yes_no", "treated", "Sought treatment?", required="yes", relevant="${sick_last_month} = 'yes'")
q("decimal", "treatment_cost", "Cost of treatment (PKR)", relevant="${treated} = 'yes'", constraint=". >= 0")
q("select_one yes_no", "chronic", "Has a chronic illness?", required="yes")
q("select_one yes_no", "has_phone", "Has a mobile phone?", required="yes", relevant="${age} >= 10")
q("select_one yes_no", "bank_account", "Has a bank or mobile money account?", required="yes",
  relevant="${age} >= 18")
q("select_one yes_no", "migrated", "Lived elsewhere for a month or more in the last year?", required="yes",
  relevant="${age} >= 15")
q("text", "migrated_to", "Where?", required="yes", relevant="${migrated} = 'yes'")
q("calculate", "member_line", calculation="position(..)")
q("end_repeat", "")
q("calculate", "n_adults", calculation="count(${members}) - count-non-empty(${in_school})")
q("calculate", "total_earnings", calculation="sum(${income})")
q("note", "roster_note", "The household has ${hh_size} members earning ${total_earnings} PKR a month.")
q("end_group", "")

consent = "${consent} = 'yes'"


def section(name, label, body):
    q("begin_group", name, label, relevant=consent)
    body()
    q("end_group", "")


def housing():
    q("select_one tenure", "tenure", "Ownership of the dwelling", required="yes")
    q("decimal", "rent", "Monthly rent (PKR)", required="yes", relevant="${tenure} = 'rent'",
      constraint=". > 0")
    q("integer", "rooms", "Rooms used for sleeping", required="yes", constraint=". >= 1 and . <= 30")
    q("select_one wall", "wall", "Main wall material", required="yes")
    q("text", "wall_other", "Other wall material", required="yes", relevant="${wall} = 'other'")
    q("select_one roof", "roof", "Main roof material", required="yes")
    q("select_one floor", "floor", "Main floor material", required="yes")
    q("select_one yes_no", "electricity", "Connected to electricity?", required="yes")
    q("integer", "outage_hours", "Hours without electricity on a typical day", required="yes",
      relevant="${electricity} = 'yes'", constraint=". >= 0 and . <= 24")
    q("decimal", "electricity_bill", "Last electricity bill (PKR)", relevant="${electricity} = 'yes'",
      constraint=". >= 0")
    q("select_one fuel", "cooking_fuel", "Main cooking fuel", required="yes")
    q("select_one yes_no", "separate_kitchen", "Separate kitchen?", required="yes")
    q("select_one yes_no", "flood_damage", "Dwelling damaged by floods since 2022?", required="yes")
    q("date", "flood_date", "When?", relevant="${flood_damage} = 'yes'", constraint=". <= today()")
    q("calculate", "crowding", calculation="${hh_size} div ${rooms}")


def wash():
    q("select_one water", "water_source", "Main source of drinking water", required="yes")
    q("integer", "water_minutes", "Minutes to fetch water and return", required="yes",
      relevant="${water_source} != 'piped'", constraint=". >= 0 and . <= 600")
    q("select_one yes_no", "water_treated", "Do you treat drinking water?", required="yes")
    q("select_multiple treatment", "treatment_method", "How?", required="yes",
      relevant="${water_treated} = 'yes'")
    q("select_one toilet", "toilet", "Toilet facility", required="yes")
    q("select_one yes_no", "toilet_shared", "Shared with other households?", required="yes",
      relevant="${toilet} != 'none'")
    q("integer", "toilet_households", "How many households share it?", required="yes",
      relevant="${toilet_shared} = 'yes'", constraint=". >= 2")
    q("select_one yes_no", "handwash_soap", "Soap at the handwashing place?", required="yes")


choice_list("treatment", [("boil", "Boil"), ("filter", "Filter"), ("chlorine", "Chlorine"), ("sun", "Sunlight")])

ASSETS = ["Television", "Refrigerator", "Washing machine", "Air conditioner", "Air cooler", "Computer",
          "Smartphone", "Sewing machine", "Motorcycle", "Car", "Tractor", "Bicycle", "Solar panel",
          "Generator", "Water pump", "Gas cylinder", "Iron", "Microwave oven", "Fan", "Gold jewellery"]


def assets():
    for a in ASSETS:
        s = slug(a)
        q("select_one yes_no", f"owns_{s}", f"Does the household own a {a.lower()}?", required="yes")
        q("integer", f"n_{s}", f"How many?", required="yes", relevant=f"${{owns_{s}}} = 'yes'",
          constraint=". >= 1 and . <= 50")
    q("calculate", "asset_count",
      calculation=" + ".join(f"if(${{owns_{slug(a)}}} = 'yes', 1, 0)" for a in ASSETS[:10]))


CROPS = ["Wheat", "Rice", "Cotton", "Sugarcane", "Maize", "Gram", "Mustard", "Vegetables", "Fodder", "Orchard"]


def agriculture():
    q("select_one yes_no", "owns_land", "Does the household own agricultural land?", required="yes")
    q("decimal", "land_acres", "Land owned (acres)", required="yes", relevant="${owns_land} = 'yes'",
      constraint=". > 0 and . <= 1000")
    q("select_one yes_no", "cultivates", "Did the household cultivate land last year?", required="yes")
    for c in CROPS:
        s = slug(c)
        q("select_one yes_no", f"grew_{s}", f"Grew {c.lower()}?", required="yes",
          relevant="${cultivates} = 'yes'")
        q("decimal", f"harvest_{s}", f"{c} harvested (maunds)", required="yes",
          relevant=f"${{grew_{s}}} = 'yes'", constraint=". >= 0")


ANIMALS = ["Cattle", "Buffalo", "Goats", "Sheep", "Camels", "Donkeys", "Horses", "Poultry"]


def livestock():
    q("select_one yes_no", "has_livestock", "Does the household keep animals?", required="yes")
    for an in ANIMALS:
        s = slug(an)
        q("integer", f"n_{s}", f"Number of {an.lower()}", required="yes", relevant="${has_livestock} = 'yes'",
          constraint=". >= 0 and . <= 500")
    q("calculate", "large_animals", calculation="${n_cattle} + ${n_buffalo} + ${n_camels}")


FOODS = ["Cereals", "Pulses", "Vegetables", "Fruit", "Meat", "Fish", "Eggs", "Milk", "Oil and ghee",
         "Sugar", "Tea", "Spices", "Bread from the market", "Rice", "Potatoes"]


def food():
    for f in FOODS:
        q("integer", f"days_{slug(f)}", f"Days in the last week the household ate {f.lower()}",
          required="yes", constraint=". >= 0 and . <= 7", message="Between 0 and 7")
    q("calculate", "fcs", calculation="2 * ${days_cereals} + 3 * ${days_pulses} + ${days_vegetables}"
      " + ${days_fruit} + 4 * ${days_meat} + 4 * ${days_milk} + 0.5 * ${days_oil_and_ghee}"
      " + 0.5 * ${days_sugar}")


SPEND = ["Flour", "Rice", "Pulses", "Cooking oil", "Sugar", "Tea", "Milk", "Meat", "Vegetables", "Fruit",
         "Electricity", "Gas", "Firewood", "Water", "Mobile phone credit", "Transport", "School fees",
         "Uniforms and books", "Medicine", "Doctor's fees", "Clothing", "Footwear", "Soap and toiletries",
         "Rent", "House repairs", "Remittances sent", "Debt repayment", "Weddings and funerals",
         "Religious donations", "Tobacco", "Entertainment", "Furniture", "Kitchen utensils", "Bedding",
         "Fertiliser", "Seeds", "Animal feed", "Veterinary care", "Labour hired", "Other"]


def expenditure():
    q("note", "spend_note", "Spending in the last month, in rupees; write 0 for none.")
    for s in SPEND:
        q("decimal", f"spend_{slug(s)}", s, required="yes", constraint=". >= 0 and . <= 500000",
          message="Between 0 and 500,000")
    q("calculate", "total_spend", calculation=" + ".join(f"${{spend_{slug(s)}}}" for s in SPEND[:20]))
    q("note", "total_spend_note", "Food and services: ${total_spend} PKR")


FIES = ["worried you would not have enough food", "unable to eat healthy food", "ate few kinds of food",
        "skipped a meal", "ate less than you should", "ran out of food", "were hungry but did not eat",
        "went a whole day without eating"]


def food_security():
    for i, f in enumerate(FIES, 1):
        q("select_one yes_no", f"fies_{i}", f"In the last 12 months, was there a time when you {f}?",
          required="yes")
    q("calculate", "fies_score",
      calculation=" + ".join(f"if(${{fies_{i}}} = 'yes', 1, 0)" for i in range(1, len(FIES) + 1)))


SHOCKS = ["Flood", "Drought", "Crop pest", "Livestock death", "Death of an earner", "Serious illness",
          "Job loss", "Business failure", "Theft", "Fire", "Price rise", "Eviction"]


def shocks():
    for s in SHOCKS:
        k = slug(s)
        q("select_one yes_no", f"shock_{k}", f"{s} in the last 12 months?", required="yes")
        q("select_one severity", f"recovered_{k}", "Has the household recovered?", required="yes",
          relevant=f"${{shock_{k}}} = 'yes'")


def credit():
    q("select_one yes_no", "borrowed", "Borrowed money in the last 12 months?", required="yes")
    q("select_multiple lender", "lenders", "From whom?", required="yes", relevant="${borrowed} = 'yes'")
    q("select_one purpose", "loan_purpose", "Main purpose of the largest loan", required="yes",
      relevant="${borrowed} = 'yes'")
    q("text", "loan_purpose_other", "Other purpose", required="yes", relevant="${loan_purpose} = 'other'")
    q("decimal", "loan_amount", "Amount still owed (PKR)", required="yes", relevant="${borrowed} = 'yes'",
      constraint=". >= 0")
    q("select_one yes_no", "savings", "Does the household have savings?", required="yes")
    q("select_one yes_no", "committee", "Member of a savings committee?", required="yes")


PROGRAMMES = ["BISP Kafaalat", "Sehat card", "Zakat", "Pakistan Bait-ul-Mal", "Ehsaas ration", "Other programme"]


def transfers():
    for p in PROGRAMMES:
        k = slug(p)
        q("select_one yes_no", f"receives_{k}", f"Receives {p}?", required="yes")
        q("decimal", f"amount_{k}", f"{p}: amount in the last quarter (PKR)", required="yes",
          relevant=f"${{receives_{k}}} = 'yes'", constraint=". >= 0")
    q("select_one yes_no", "remittances", "Receives money from someone living elsewhere?", required="yes")
    q("decimal", "remittance_amount", "Amount in the last year (PKR)", required="yes",
      relevant="${remittances} = 'yes'", constraint=". >= 0")


SERVICES = ["Primary school", "Girls' school", "High school", "Basic health unit", "Rural health centre",
            "Hospital", "Lady health worker", "Pharmacy", "Veterinary centre", "Bank branch",
            "Mobile money agent", "Post office", "Police station", "Bus stop", "Market"]


def services():
    for sv in SERVICES:
        k = slug(sv)
        q("select_one yes_no", f"near_{k}", f"Is there a {sv.lower()} within 5 km?", required="yes")
        q("integer", f"minutes_{k}", "Minutes to reach it on foot", required="yes",
          relevant=f"${{near_{k}}} = 'yes'", constraint=". >= 0 and . <= 300")


def enterprise():
    q("select_one yes_no", "has_enterprise", "Does anyone in the household run a business?", required="yes")
    q("text", "enterprise_activity", "What does the business do?", required="yes",
      relevant="${has_enterprise} = 'yes'")
    q("integer", "enterprise_workers", "People working in it, household members included", required="yes",
      relevant="${has_enterprise} = 'yes'", constraint=". >= 1 and . <= 100")
    q("decimal", "enterprise_revenue", "Sales last month (PKR)", required="yes",
      relevant="${has_enterprise} = 'yes'", constraint=". >= 0")
    q("decimal", "enterprise_costs", "Costs last month (PKR)", required="yes",
      relevant="${has_enterprise} = 'yes'", constraint=". >= 0")
    q("calculate", "enterprise_profit", calculation="${enterprise_revenue} - ${enterprise_costs}")
    q("select_one yes_no", "enterprise_registered", "Is it registered?", required="yes",
      relevant="${has_enterprise} = 'yes'")
    q("time", "enterprise_opens", "Opening time", relevant="${has_enterprise} = 'yes'")


section("housing", "C. Housing", housing)
section("wash", "D. Water and sanitation", wash)
section("assets", "E. Assets", assets)
section("agriculture", "F. Agriculture", agriculture)
section("livestock", "G. Livestock", livestock)
section("food", "H. Food consumption", food)
section("expenditure", "I. Expenditure", expenditure)
section("food_security", "J. Food insecurity experience", food_security)
section("shocks", "K. Shocks", shocks)
section("credit", "L. Credit and savings", credit)
section("transfers", "M. Transfers", transfers)
section("services", "N. Access to services", services)
section("enterprise", "O. Household enterprise", enterprise)
q("begin_group", "closing", "P. Closing", relevant=consent)
q("select_one yes_no", "cooperative", "Was the respondent cooperative?", required="yes")
q("text", "enumerator_comments", "Comments", appearance="multiline")
q("geopoint", "closing_gps", "Location at the end of the interview")
q("end_group", "")


def table(sheet, header, body):
    out = [f"| {sheet} |", "| | " + " | ".join(header) + " |"]
    for r in body:
        out.append("| | " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


doc = [
    "A long multi-section household survey (our own fixture, the corpus's largest form), written by",
    "make_household_survey_long.py: identification, a roster repeat `members` sized by `repeat_count`,",
    "and thirteen household sections with relevance, constraints and calculations.",
    "",
    table("survey", COLS, rows),
    "",
    table("choices", ["list_name", "name", "label::English (en)"], choices),
    "",
    table("settings", ["form_title", "form_id", "version", "default_language"],
          [["Household survey (long)", "household_survey_long", "2025010101", "English (en)"]]),
    "",
]
with open("household_survey_long.md", "w") as f:
    f.write("\n".join(doc))
print(len(rows), "survey rows,", len(choices), "choices")
