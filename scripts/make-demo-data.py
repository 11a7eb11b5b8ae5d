#!/usr/bin/env python3
"""Writes demo/households.jsonl: fictional households for the demo (names and numbers are made up).

Deterministic (fixed seed) so the committed file only changes when this script does.
Run: python3 scripts/make-demo-data.py > demo/households.jsonl
"""
import json
import random

rng = random.Random(20261123)
MEN = [("Muhammad Aslam", "محمد اسلم"), ("Ghulam Rasool", "غلام رسول"), ("Abdul Karim", "عبدالکریم"),
       ("Imran Khan", "عمران خان"), ("Bashir Ahmed", "بشیر احمد"), ("Faisal Mehmood", "فیصل محمود"),
       ("Nawaz Ali", "نواز علی"), ("Tariq Hussain", "طارق حسین"), ("Zafar Iqbal", "ظفر اقبال"),
       ("Saleem Shah", "سلیم شاہ")]
WOMEN = [("Ayesha Bibi", "عائشہ بی بی"), ("Nasreen Akhtar", "نسرین اختر"), ("Shazia Parveen", "شازیہ پروین"),
         ("Rukhsana Begum", "رخسانہ بیگم"), ("Fatima Zahra", "فاطمہ زہرا"), ("Samina Kausar", "ثمینہ کوثر"),
         ("Zainab Noor", "زینب نور"), ("Kulsoom Bibi", "کلثوم بی بی")]
BOYS = ["Bilal", "Hamza", "Usman", "Ali", "Hassan", "Ahmed", "Saad"]
GIRLS = ["Maryam", "Hira", "Sana", "Iqra", "Amina", "Khadija"]
# Tehsils and the CNIC province digit of people living there (P-code PK6 Punjab = CNIC 3, PK7 Sindh = 4,
# PK5 Khyber Pakhtunkhwa = 1, PK2 Balochistan = 5, PK4 Islamabad = 6).
AREAS = [("PK60301", "3"), ("PK60302", "3"), ("PK70101", "4"), ("PK50101", "1"), ("PK20101", "5"), ("PK40101", "6")]


def cnic(province_digit, n, sex):
    last = rng.choice([1, 3, 5, 7, 9]) if sex == "male" else rng.choice([2, 4, 6, 8])
    return f"{province_digit}{rng.randint(1000, 9999)}-{n:07d}-{last}"


# The questionnaire's remaining answers, from a second generator so the fields above stay as they were:
# every household is a finished interview that the demo can mark complete.
fill = random.Random(20261130)
# The CNICs' dates of issue (the citizen status page's second factor), from their own generator so
# the rest of the data stays as it was; the first household's head's date is fixed so the README can
# name it.
issued = random.Random(20261201)
ASSETS = ["tv", "fridge", "air_cooler", "washing_machine", "motorcycle", "smartphone", "heater"]


def finish_member(m, today_year=2026):
    age = m.get("age")
    if age is None:
        age = today_year - int(m["dob"][:4])
    a = m.setdefault("answers", {})
    if age >= 5:
        literate = fill.random() < 0.6
        a["literate"] = "yes" if literate else "no"
        a["education"] = fill.choice(["primary", "middle", "matric"]) if literate else "none"
        if age <= 22:
            a["in_school"] = "yes" if fill.random() < 0.5 else "no"
        for wg in ["wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_selfcare", "wg_communicating"]:
            a[wg] = "no_difficulty" if fill.random() < 0.92 else "some"
    if age >= 10:
        a.setdefault("marital_status", "never_married" if age < 16 else fill.choice(["never_married", "married"]))
        a.setdefault("occupation", "student" if age < 16 else fill.choice(["labour", "farming", "none"]))
        if a["occupation"] not in ("none", "student", "housework"):
            a["income"] = fill.randint(8, 60) * 1000
    if age >= 18 and "id_number" not in m:
        m["id_number"] = None  # filled by the caller, who knows the province


def finish(h, pdigit, serial):
    a = h["answers"]
    a["respondent"] = h["members"][0]["name"]
    a["consent"] = "OK"
    a["tenure"] = fill.choice(["owned", "rented", "rent_free"])
    a["floor"] = fill.choice(["earth", "brick", "cement"])
    a["lighting"] = fill.choice(["electricity", "solar", "kerosene"])
    electricity = fill.random() < 0.85
    a["electricity"] = "yes" if electricity else "no"
    if electricity:
        a["electricity_bill"] = fill.randint(5, 60) * 100
    a["gas"] = "yes" if fill.random() < 0.3 else "no"
    a["assets"] = " ".join(sorted(fill.sample(ASSETS, fill.randint(1, 3))))
    livestock = a.get("cattle", 0) + a.get("goats", 0) > 0
    a["has_livestock"] = "yes" if livestock else "no"
    if livestock:
        for q in ["buffalo", "sheep", "camels", "poultry"]:
            a.setdefault(q, 0)
    else:
        a.pop("cattle", None)
        a.pop("goats", None)
    a["land_owned"] = fill.choice([0, 0, 0.5, 1, 2.5])
    a["land_rented"] = fill.choice([0, 0, 1])
    a["support"] = fill.choice(["none", "bisp", "zakat"])
    for m in h["members"]:
        finish_member(m)
        if m.get("id_number", "") is None:
            serial += 1
            m["id_number"] = cnic(pdigit, serial, m["sex"])
        if m.get("id_number") and m.get("age", 0) >= 18:
            m.setdefault("answers", {})["id_issued"] = (
                f"{issued.randint(2010, 2024)}-{issued.randint(1, 12):02d}-{issued.randint(1, 28):02d}")
    return serial


def main():
    serial = 1000
    for i in range(60):
        area, pdigit = AREAS[i % len(AREAS)]
        head_en, head_ur = MEN[i % len(MEN)]
        wife_en, wife_ur = WOMEN[i % len(WOMEN)]
        urdu = i % 3 == 0
        members = []
        serial += 1
        members.append({"name": head_ur if urdu else head_en, "relation": "head", "sex": "male",
                        "age": rng.randint(30, 65), "id_number": cnic(pdigit, serial, "male"),
                        "answers": {"marital_status": "married", "occupation": rng.choice(["labour", "farming", "shop", "driver"])}})
        serial += 1
        members.append({"name": wife_ur if urdu else wife_en, "relation": "spouse", "sex": "female",
                        "age": rng.randint(25, 60), "id_number": cnic(pdigit, serial, "female"),
                        "answers": {"marital_status": "married", "occupation": "housework"}})
        for c in range(rng.randint(0, 5)):
            boy = rng.random() < 0.5
            members.append({"name": rng.choice(BOYS if boy else GIRLS) + ("" if urdu else ""),
                             "relation": "son" if boy else "daughter", "sex": "male" if boy else "female",
                             "dob": f"{rng.randint(2008, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"})
        h = {"area": area,
             "gps": {"lat": round(rng.uniform(24.8, 35.9), 5), "lon": round(rng.uniform(66.9, 75.5), 5), "accuracy": 8.0},
             "answers": {"address": f"House {rng.randint(1, 300)}, Mohalla {rng.randint(1, 20)}",
                         "phone": f"03{rng.randint(0, 4)}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}",
                         "rooms": rng.randint(1, 4), "walls": rng.choice(["mud", "brick", "stone"]),
                         "roof": rng.choice(["wood_bamboo", "rcc", "iron_sheet"]),
                         "toilet": rng.choice(["flush", "none", "pit"]),
                         "water": rng.choice(["hand_pump", "piped", "well"]),
                         "cooking_fuel": rng.choice(["wood", "gas", "dung_cake"]),
                         "cattle": rng.randint(0, 4), "goats": rng.randint(0, 6)},
             "members": members}
        if i == 0:
            first_head = members[0]
        serial = finish(h, pdigit, serial)
        if i == 0:
            first_head["answers"]["id_issued"] = "2016-03-12"
        print(json.dumps(h, ensure_ascii=False))
    # One more household for the console's queues: its head gives the CNIC the first household's head
    # has (a duplicate case to resolve), and it was recorded without a location (a data-quality flag).
    area, pdigit = AREAS[0]
    last = {
        "area": area,
        "answers": {"address": "House 7, Mohalla 3", "phone": "03451234567", "rooms": 2, "walls": "mud",
                    "roof": "wood_bamboo", "toilet": "none", "water": "hand_pump", "cooking_fuel": "wood",
                    "cattle": 0, "goats": 1},
        "members": [
            {"name": "Muhammad Aslam Khan", "relation": "head", "sex": "male", "age": first_head["age"],
             "id_number": first_head["id_number"], "answers": {"marital_status": "married", "occupation": "labour"}},
            {"name": "Shazia Bibi", "relation": "spouse", "sex": "female", "age": 40,
             "answers": {"marital_status": "married", "occupation": "housework"}},
        ]}
    finish(last, pdigit, serial)
    print(json.dumps(last, ensure_ascii=False))


main()
