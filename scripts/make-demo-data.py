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
        print(json.dumps(h, ensure_ascii=False))


main()
