"""Synthetic PFOCR corpus: realistic figure pages and ``_data`` tables, fast and reproducible.

:func:`generate_corpus` writes ``n`` figure records into ``out_dir`` the way the PFOCR
Jekyll repository lays them out::

    out_dir/_figures/<figid>.md             YAML front matter between '---' lines, no body
    out_dir/_data/<figid>-genes.tsv         organism_id, organism_name, organism_group, word,
                                            match, ncbigene_symbol, ncbigene_id, source,
                                            count_direct, count_synonym, count_match
    out_dir/_data/<figid>-chemicals.tsv     word, mesh, match, name, chebi
    out_dir/_data/<figid>-diseases.tsv      word, mesh, match, name, doid

What the records look like (modelled on the public sample in ``pfocr-sample`` and the
seed pages):

* Papers get increasing PMC numbers, denser towards higher numbers (PMC density grows
  linearly with the number), and several figures each (more for newer papers); the
  year follows the PMC number (PMC100000 ~ 2001 ... PMC12000000 ~ 2025).
* Two format generations. Old pages (mostly PMC < 8M): ``pmc_ranked_result_index``
  (quoted), ``pathway_score``, ``organisms`` as a string (early papers) or a list,
  ``annotations: []``, inline ``genes`` (word, symbol, source, hgnc_symbol, quoted
  entrez), ``chemicals`` (word, MESH identifier) and ``diseases`` lists, and
  ``schema-jsonld.keywords`` = genes + chemicals + diseases. Current pages: ``organisms``
  and ``organisms_ner`` lists (often ``['NA']``), doi, journal_title, journal_nlm_ta,
  publisher_name (may be ''), keywords (pipe-separated, may be '' or ``.na.character``),
  ``automl_pathway``, ``ndex: ''`` and ``schema-jsonld.keywords`` = the unique
  ``ncbigene_symbol`` values of genes.tsv in row order (NA -> ``.na.character``), or the
  chemical words when there is no genes table, or genes + chemicals + diseases (a few).
* Captions built from templates with Greek letters (NF-κB, IL-1β, TGF-β ...), primes,
  en dashes, micro signs; some contain ': ' or quotes (so the emitter single-quotes them),
  some have double spaces. Long values fold over several lines exactly like PyYAML.
* genes.tsv: real-looking human symbols from a built-in list of a few hundred, their
  mouse/rat (``Stat3``), zebrafish (``stat3``) and fly case variants; several organisms
  per table with per-organism counts repeated on each row (sometimes NA); OCR noise in
  ``word`` (``(Src``, ``PLC,``, ``↑Atf6``, ``MSTN↓↓``, Greek look-alikes, the literal word
  ``NA``), ``NA`` symbols with ``NaN`` ids, exact and near-duplicate rows.
* Some current records are keyword-only (schema keywords but no ``_data`` tables), some
  tables are missing or not reflected in the keywords, and about 0.3% of captions carry a
  control character (tab, U+2028 ...) so that PyYAML writes them double-quoted with
  escapes or as quoted multi-line scalars: inputs for the parser's fallback path.

The front matter text is byte-identical to ``yaml.safe_dump(record, sort_keys=False,
allow_unicode=True)`` (checked in the tests), produced by a small specialised emitter
because PyYAML's emitter is far too slow for 100k records. The same ``seed`` (and ``n``,
``start_pmc``) always gives byte-identical files.
"""

from __future__ import annotations

import math
import os
import queue
import random
import re
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["CorpusSummary", "generate_corpus", "iter_records", "dump_front_matter"]

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

HUMAN_GENES = """
ABL1 ACACA ACLY ACTB ADCY1 ADCY2 ADCY3 ADCY5 ADCY9 ADIPOQ ADRB2 AGER AGT AGTR1 AHR AIF1
AKT1 AKT2 AKT3 ALB ALOX5 AMPK APAF1 APC APOE APP AQP4 AR ARAF ARG1 ARNT ATF2 ATF4 ATF6 ATG5
ATG7 ATM ATR AURKA AXIN1 BAD BAK1 BAX BCL2 BCL2L1 BDNF BECN1 BID BIRC5 BMP2 BMP4 BMPR2
BRAF BRCA1 BRCA2 BTK CASP1 CASP3 CASP8 CASP9 CAT CCL2 CCL5 CCND1 CCNE1 CD4 CD8A CD14 CD36
CD40 CD44 CDH1 CDH2 CDK1 CDK2 CDK4 CDK6 CDKN1A CDKN1B CDKN2A CEBPA CEBPB CFTR CHEK1 CHEK2
CHUK COL1A1 COX2 CPT1A CREB1 CRP CSF1 CSF2 CTLA4 CTNNB1 CXCL8 CXCL12 CXCR4 CYBB CYCS
CYP1A1 CYP2E1 CYP3A4 DDIT3 DLL4 DNMT1 DUSP1 E2F1 EDN1 EGF EGFR EIF2AK3 EIF2S1 ELK1 EP300
EPAS1 EPO ERBB2 ERBB3 ERN1 ESR1 ESR2 ETS1 EZH2 FADD FAS FASLG FASN FGF2 FGFR1 FGFR3 FLT1
FLT3 FN1 FOS FOXO1 FOXO3 FOXP3 FZD7 G6PD GAPDH GATA3 GCG GDF15 GLI1 GLUL GPX4 GRB2 GSDMD
GSK3B GSTP1 HDAC1 HDAC2 HGF HIF1A HK2 HMGB1 HMOX1 HNF4A HRAS HSPA5 HSP90AA1 ICAM1 IDO1
IFNG IGF1 IGF1R IKBKB IL1A IL1B IL2 IL4 IL6 IL6R IL10 IL12A IL13 IL17A IL18 IL23A INS INSR
IRAK4 IRF3 IRF7 IRS1 ITGB1 JAK1 JAK2 JAK3 JUN KDR KEAP1 KIT KLF4 KRAS LAMP2 LC3B LDHA LEP
LEPR LGR5 LIF LOX LRP5 LRP6 LYZ MAP2K1 MAP2K2 MAP3K7 MAPK1 MAPK3 MAPK8 MAPK9 MAPK14 MDM2
MET MIR21 MIR155 MIR223 MKI67 MLKL MMP2 MMP9 MPO MTOR MUC1 MYC MYD88 NANOG NFE2L2 NFKB1
NFKBIA NLRP3 NOS2 NOS3 NOTCH1 NOX4 NPHS1 NR1H4 NR3C1 NRAS NT5E OCLN OSM PARP1 PCNA PDCD1
PDGFB PDGFRB PDK1 PDX1 PECAM1 PGC1A PIK3CA PIK3CB PIK3R1 PINK1 PKM PLCB1 PLCG1 PPARA
PPARG PPARGC1A PRKAA1 PRKACA PRKCA PRKCD PTEN PTGS2 PTK2 PTPN11 RAC1 RAF1 RB1 RELA RHOA
RIPK1 RIPK3 ROCK1 RPS6KB1 RUNX2 S100A8 S100A9 SERPINE1 SHH SIRT1 SIRT3 SLC2A1 SLC2A4
SLC7A11 SMAD2 SMAD3 SMAD4 SMAD7 SMO SNAI1 SOCS1 SOCS3 SOD1 SOD2 SOX2 SOX9 SP1 SPP1 SQSTM1
SRC SREBF1 STAT1 STAT3 STAT5A STAT6 STING1 TBK1 TEAD1 TERT TFEB TGFB1 TGFBR1 TGFBR2 TIMP1
TLR2 TLR4 TLR9 TNF TNFRSF1A TP53 TRAF2 TRAF6 TSC2 TXNIP UCP1 ULK1 VCAM1 VDR VEGFA VIM
WNT1 WNT3A WNT5A WT1 XBP1 YAP1 ZEB1
""".split()

# (taxid, name, group, symbol style) -- style: H = human, M = Stat3, Z = stat3, D = fly-ish
ORGANISMS = [
    ("9606", "Homo sapiens", "Primates", "H"),
    ("10090", "Mus musculus", "Rodents", "M"),
    ("10116", "Rattus norvegicus", "Rodents", "M"),
    ("7955", "Danio rerio", "Vertebrates", "Z"),
    ("7227", "Drosophila melanogaster", "Invertebrates", "D"),
    ("6239", "Caenorhabditis elegans", "Invertebrates", "Z"),
    ("3702", "Arabidopsis thaliana", "Plants and Fungi", "H"),
    ("559292", "Saccharomyces cerevisiae S288C", "Plants and Fungi", "M"),
    ("9913", "Bos taurus", "Mammals", "H"),
    ("9986", "Oryctolagus cuniculus", "Mammals", "H"),
    ("511145", "Escherichia coli str. K-12 substr. MG1655", "Bacteria", "Z"),
    ("1282", "Staphylococcus epidermidis", "Bacteria", "Z"),
    ("208964", "Pseudomonas aeruginosa PAO1", "Bacteria", "Z"),
]
ORGANISM_WEIGHTS = [100, 30, 12, 10, 18, 3, 3, 2, 2, 1, 2, 1, 1]
# Names seen in the front-matter organisms lists (some unusual ones included).
FM_ORGANISMS = [
    "Homo sapiens",
    "Mus musculus",
    "Rattus norvegicus",
    "Danio rerio",
    "Drosophila melanogaster",
    "Arabidopsis thaliana",
    "Caenorhabditis elegans",
    "Saccharomyces cerevisiae",
    "Escherichia coli",
    "Bos taurus",
    "Sus scrofa",
    "gut metagenome",
    "Bacteriophage sp.",
    "Severe acute respiratory syndrome coronavirus 2",
    "PX clade",
    "Expression vector pET-28",
    "Staphylococcus aureus",
    "Oryza sativa",
]
FM_ORGANISM_WEIGHTS = [60, 25, 10, 6, 6, 3, 2, 2, 3, 1, 1, 1, 1, 2, 1, 1, 1, 1]

CHEMICALS = [
    ("Glucose", "mesh:D005947", "Glucose", "D-glucopyranose", "chebi:4167"),
    ("glucose", "mesh:D005947", "Glucose", "D-glucopyranose", "chebi:4167"),
    ("ATP", "mesh:D000255", "Adenosine Triphosphate", "ATP", "chebi:15422"),
    ("ADP", "mesh:D000244", "Adenosine Diphosphate", "ADP", "chebi:16761"),
    ("cAMP", "mesh:D000242", "Cyclic AMP", "3',5'-cyclic AMP", "chebi:17489"),
    ("Ca2+", "mesh:D002118", "Calcium", "calcium atom", "chebi:22984"),
    ("Fe2+", "mesh:D007501", "Iron", "iron atom", "chebi:18248"),
    ("GSH", "mesh:D005978", "Glutathione", "glutathione", "chebi:16856"),
    ("NADPH", "mesh:D009249", "NADP", "NADP(+)", "chebi:18009"),
    ("Pyruvate", "mesh:D011773", "NA", "NA", "NA"),
    ("Lactate", "mesh:D019344", "NA", "NA", "NA"),
    ("Fatty acids", "mesh:D005227", "Fatty Acids", "fatty acid", "chebi:35366"),
    ("Cholesterol", "mesh:D002784", "Cholesterol", "cholesterol", "chebi:16113"),
    ("ROS", "mesh:D017382", "Reactive Oxygen Species", "reactive oxygen species", "chebi:26523"),
    ("H2O2", "mesh:D006861", "Hydrogen Peroxide", "hydrogen peroxide", "chebi:16240"),
    ("NO", "mesh:D009569", "Nitric Oxide", "nitric oxide", "chebi:16480"),
    ("LPS", "mesh:D008070", "Lipopolysaccharides", "lipopolysaccharide", "chebi:16412"),
    ("Insulin", "mesh:D007328", "Insulin", "insulin", "chebi:145810"),
    ("Glutamate", "mesh:D018698", "Glutamic Acid", "L-glutamic acid", "chebi:16015"),
    ("Glutamine", "mesh:D005973", "Glutamine", "L-glutamine", "chebi:18050"),
    ("Acetyl-CoA", "mesh:D000105", "Acetyl Coenzyme A", "acetyl-CoA", "chebi:15351"),
    ("Citrate", "mesh:D019343", "Citric Acid", "citric acid", "chebi:30769"),
    ("Succinate", "mesh:D019802", "Succinic Acid", "succinic acid", "chebi:15741"),
    ("Serotonin", "mesh:D012701", "Serotonin", "serotonin", "chebi:28790"),
    ("Dopamine", "mesh:D004298", "Dopamine", "dopamine", "chebi:18243"),
    ("Bradykinin", "mesh:D001920", "Bradykinin", "bradykinin", "chebi:3165"),
    ("Isoproterenol", "mesh:D007545", "Isoproterenol", "isoprenaline", "chebi:64317"),
    ("Rapamycin", "mesh:D020123", "Sirolimus", "sirolimus", "chebi:9168"),
    ("Metformin", "mesh:D008687", "Metformin", "metformin", "chebi:6801"),
    ("Cisplatin", "mesh:D002945", "Cisplatin", "cisplatin", "chebi:27899"),
    ("Dexamethasone", "mesh:D003907", "Dexamethasone", "dexamethasone", "chebi:41879"),
    ("Estradiol", "mesh:D004958", "Estradiol", "estradiol", "chebi:16469"),
    ("Arg", "mesh:C076685", "Arg-Arg", "arginylarginine", "chebi:73811"),
    ("Asp", "mesh:C108952", "Asp-Asp", "aspartyl-aspartic acid", "chebi:73446"),
    ("Ceramide", "mesh:D002518", "Ceramides", "ceramide", "chebi:17761"),
    ("Sphingosine-1-phosphate", "mesh:C060506", "NA", "NA", "NA"),
    ("Resveratrol", "mesh:D000077185", "Resveratrol", "resveratrol", "chebi:27881"),
    ("Curcumin", "mesh:D003474", "Curcumin", "curcumin", "chebi:3962"),
    ("TCA", "mesh:C000589078", "NA", "NA", "NA"),
    ("Bile acids", "mesh:D001647", "Bile Acids and Salts", "bile acid", "chebi:3098"),
    ("Na+", "mesh:D012964", "Sodium", "sodium atom", "chebi:26708"),
    ("Zn2+", "mesh:D015032", "Zinc", "zinc atom", "chebi:27363"),
    ("Adenosine", "mesh:D000241", "Adenosine", "adenosine", "chebi:16335"),
    ("Prostaglandin E2", "mesh:D015232", "Dinoprostone", "prostaglandin E2", "chebi:15551"),
]
DISEASES = [
    ("cancer", "mesh:D009369"),
    ("Cancer", "mesh:D009369"),
    ("Inflammation", "mesh:D007249"),
    ("inflammation", "mesh:D007249"),
    ("Obesity", "mesh:D009765"),
    ("Diabetes", "mesh:D003920"),
    ("Fibrosis", "mesh:D005355"),
    ("Breast cancer", "mesh:D001943"),
    ("Melanoma", "mesh:D008545"),
    ("Prostate cancer", "mesh:D011471"),
    ("Ischemia", "mesh:D007511"),
    ("Liver injury", "mesh:D056486"),
    ("Alzheimer's disease", "mesh:D000544"),
    ("Parkinson disease", "mesh:D010300"),
    ("Atherosclerosis", "mesh:D050197"),
    ("Neurotoxicity", "mesh:D020258"),
    ("Sepsis", "mesh:D018805"),
    ("THROMBOSIS", "mesh:D013927"),
    ("lung injury", "mesh:D055370"),
    ("Lipotoxicity", "NA"),
    ("Stroma", "NA"),
    ("SARS-CoV2", "mesh:D045169"),
    ("Hepatocellular carcinoma", "mesh:D006528"),
    ("Colitis", "mesh:D003092"),
]
# (journal title, NLM TA, publisher, figure-file style)
JOURNALS = [
    ("Frontiers in Immunology", "Front Immunol", "Frontiers Media S.A.", "frontiers:fimmu"),
    ("Frontiers in Oncology", "Front Oncol", "Frontiers Media S.A.", "frontiers:fonc"),
    ("Frontiers in Pharmacology", "Front Pharmacol", "Frontiers Media S.A.", "frontiers:fphar"),
    ("Frontiers in Plant Science", "Front Plant Sci", "Frontiers Media S.A.", "frontiers:fpls"),
    (
        "Frontiers in Endocrinology",
        "Front Endocrinol (Lausanne)",
        "Frontiers Media S.A.",
        "frontiers:fendo",
    ),
    ("International Journal of Molecular Sciences", "Int J Mol Sci", "MDPI", "mdpi:ijms"),
    ("Cells", "Cells", "MDPI", "mdpi:cells"),
    ("Nature Communications", "Nat Commun", "Nature Publishing Group UK", "springer:41467"),
    ("Scientific Reports", "Sci Rep", "Nature Publishing Group UK", "springer:41598"),
    ("Cell Death & Disease", "Cell Death Dis", "Nature Publishing Group UK", "springer:41419"),
    ("Cell Reports", "Cell Rep", "Elsevier", "elsevier"),
    ("iScience", "iScience", "Elsevier", "elsevier"),
    ("Heliyon", "Heliyon", "Elsevier", "elsevier"),
    (
        "Journal of Biological Chemistry",
        "J Biol Chem",
        "American Society for Biochemistry and Molecular Biology",
        "elsevier",
    ),
    (
        "Molecular and Cellular Biology",
        "Mol Cell Biol",
        "American Society for Microbiology",
        "asm:mb",
    ),
    ("Infection and Immunity", "Infect Immun", "American Society for Microbiology", "asm:ii"),
    ("bioRxiv", "bioRxiv", "Cold Spring Harbor Laboratory", "nihpp"),
    ("Microbial Biotechnology", "Microb Biotechnol", "John Wiley and Sons Inc.", "wiley:MBT2"),
    ("Oncotarget", "Oncotarget", "Impact Journals LLC", "oncotarget"),
    (
        "Journal of Bone Metabolism",
        "J Bone Metab",
        "The Korean Society for Bone and Mineral Research",
        "jbm",
    ),
    ("ImmunoTargets and Therapy", "Immunotargets Ther", "Dove Press", "dove:ITT"),
    ("Neoplasia", "Neoplasia", "Neoplasia Press", "neo"),
    ("JAK-STAT", "JAKSTAT", "", "jkst"),
]
JOURNAL_WEIGHTS = [8, 7, 5, 4, 4, 8, 3, 5, 6, 3, 3, 2, 2, 3, 2, 1, 2, 1, 2, 1, 1, 1, 1]

PROTEINS_GREEK = [
    "NF-κB",
    "IL-1β",
    "TGF-β",
    "TNF-α",
    "HIF-1α",
    "PPARγ",
    "ERα",
    "IκBα",
    "β-catenin",
    "GSK-3β",
    "PI3Kγ",
    "IFN-γ",
    "PGC-1α",
    "C/EBPβ",
    "PKCδ",
    "AMPKα",
    "ERβ",
    "TGF-β1",
    "IL-1α",
    "RORγt",
    "HNF-4α",
    "p38α",
    "CaMKIIδ",
    "β-AR",
    "Gαq",
    "Gβγ",
    "PLCβ",
]
PROCESSES = [
    "apoptosis",
    "autophagy",
    "ferroptosis",
    "pyroptosis",
    "cell proliferation",
    "epithelial–mesenchymal transition",
    "angiogenesis",
    "insulin resistance",
    "lipid accumulation",
    "oxidative stress",
    "ER stress",
    "mitochondrial dysfunction",
    "inflammation",
    "fibrosis",
    "glycolysis",
    "fatty acid oxidation",
    "T cell activation",
    "macrophage polarization",
    "tumor metastasis",
    "bone formation",
    "neuronal survival",
]
CELLS = [
    "hepatocytes",
    "macrophages",
    "cardiomyocytes",
    "T cells",
    "COS-7 cells",
    "HEK293 cells",
    "cancer cells",
    "adipocytes",
    "osteoblasts",
    "microglia",
    "endothelial cells",
    "β-cells",
    "fibroblasts",
    "neurons",
    "keratinocytes",
]
PATHWAYS = [
    "JAK/STAT",
    "PI3K/AKT/mTOR",
    "MAPK",
    "Wnt/β-catenin",
    "NF-κB",
    "Hippo",
    "Notch",
    "Hedgehog",
    "TGF-β/Smad",
    "AMPK",
    "cGAS–STING",
    "Nrf2/HO-1",
    "PERK–eIF2α–ATF4",
    "cAMP/PKA",
    "insulin",
    "TLR4/MyD88",
    "NLRP3 inflammasome",
    "ferroptosis",
    "p53",
]
TOPICS = [
    "inflammation",
    "autophagy",
    "metabolism",
    "signaling",
    "cancer",
    "immunity",
    "oxidative stress",
    "apoptosis",
    "microbiome",
    "obesity",
    "fibrosis",
    "aging",
    "T cells",
    "macrophages",
    "mitochondria",
    "biomarkers",
    "drug resistance",
    "nitrogen",
    "photosynthesis",
    "symbiosis",
    "biofilm",
    "hypoxia",
    "angiogenesis",
]
TITLE_TAILS = [
    "a review",
    "mechanisms and therapeutic implications",
    "Implications for Multiple Myeloma (MM) Bone Disease",
]
DOI_PREFIXES = ["3389", "1016", "1038", "3390", "1101", "1186", "2147", "1111"]
DOI_CODES = ["fimmu", "j.celrep", "s41467", "ijms", "cddis", "onc"]
FIRST_NAMES = [
    "Jixuan",
    "Sabine",
    "Li-Fen",
    "Harry",
    "Wejdan",
    "Merve",
    "Christopher",
    "Sana",
    "Jia-hui",
    "Eirini",
    "David",
    "Cristiane",
    "Maria",
    "Kenji",
    "Olga",
    "Ahmed",
    "Priya",
    "Lucas",
    "Yuki",
    "Sofia",
    "Mateus",
    "Chen",
    "Anna",
    "José",
    "Zoë",
    "Søren",
    "Ingrid",
]
LAST_NAMES = [
    "Wang",
    "Hanke",
    "Lee",
    "Smith",
    "Alenezi",
    "Zeden",
    "Delaney",
    "Parveen",
    "Ma",
    "Bournazou",
    "Lam",
    "Squarize",
    "Müller",
    "Tanaka",
    "Ivanova",
    "Hassan",
    "Patel",
    "Silva",
    "Sato",
    "García",
    "Costa",
    "Li",
    "Kowalski",
    "O'Brien",
    "Nørgaard",
    "Berg",
]
SENTENCES = [
    "{p1} activates {g1} through {c1}-dependent phosphorylation, leading to {proc}.",
    "Schematic representation of the {pw} signaling pathway in {cell}.",
    "Proposed model of {g1}-mediated regulation of {proc} in {cell}.",
    "{g1} binds to {g2} and promotes its nuclear translocation, which induces the "
    "expression of {g3} and {g4}.",
    "Inhibition of {g1} by {c1} diminishes the activation of {p1} and reduces {proc}.",
    "In {dis}, {g1}/{g2} signaling drives {proc} and the release of {p2}.",
    "Activated {p1} increases {g1} transcription, whereas loss of {g2} blocks this effect.",
    "Arrows indicate activation; blunt ends indicate inhibition.",
    "The {pw} pathway is regulated by {g1}, {g2} and {g3} in response to {c1}.",
    "{c1} treatment (10 µM) enhances {g1} expression and suppresses {p1} at 37 °C.",
    "Cooperation between {p1} and {g1} signaling leads to augmentation of {c1} "
    "accumulation and prevention of {proc}.",
    "Binding of {g1} to the 3′UTR of {g2} mRNA inhibits its translation.",
    "(i) {g1} phosphorylates {g2}; (ii) {g2} then recruits {g3} to the membrane.",
    "Dashed lines represent indirect effects of {c1} on {g1} and {g2}.",
    "Key regulators: {g1}, {g2} and {p1} (adapted from previous studies).",
    "The crosstalk between {pw} and {pw2} pathways converges on {g1}.",
    "Created with BioRender.com.",
    "{g1} and {g2} are upregulated in {cell} from patients with {dis}.",
    "Summary of the signaling events that connect {c1} to {g1} activation.",
]
OCR_DECORATIONS = ["{}", "{}", "{}", "{}", "{},", "({}", "{})", "{}*", "↑{}", "{}↓↓", "p-{}"]
GREEK_LOOKALIKE = {"A": "Α", "M": "Μ", "P": "Ρ", "K": "Κ", "T": "Τ", "E": "Ε"}

# Characters that make PyYAML's emitter write a string double-quoted with escapes (or
# otherwise specially); the rare "odd" captions carry one of them.
ODD_CHARS = ["\t", "\u2028", "\x07", "\x0c", "\ufeff"]

YEAR_ANCHORS = [
    (100_000, 2001),
    (1_584_297, 2006),
    (3_670_266, 2013),
    (7_048_131, 2020),
    (10_030_845, 2023),
    (12_080_488, 2025),
    (13_000_000, 2026),
]
DEFAULT_START_PMC = 100_000
DEFAULT_END_PMC = 12_600_000

# --------------------------------------------------------------------------------------
# A PyYAML-compatible emitter for these records
# --------------------------------------------------------------------------------------

_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR_TAG = "tag:yaml.org,2002:str"
_BEST_WIDTH = 80
# Special characters (PyYAML's analyze_scalar with allow_unicode) and line breaks: such
# strings are double-quoted or multi-line quoted; this emitter leaves them to PyYAML.
_DOUBLE_NEEDED = re.compile(
    "[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010fffe]|[\ufeff\u2028\u2029]"
)
_BREAKABLE = re.compile("(?<! ) (?! )")
_style_cache: dict[str, str] = {}
_key_cache: dict[str, str] = {}


def _implicit_is_str(s: str) -> bool:
    for tag, regexp in _RESOLVERS.get(s[0] if s else "", ()):
        if regexp.match(s):
            return tag == _STR_TAG
    return True


def _style(s: str) -> str:
    """PyYAML's choice for a str scalar in block context: '' (plain), "'" or '"'."""
    style = _style_cache.get(s)
    if style is not None:
        return style
    if not s:
        style = "'"
    elif _DOUBLE_NEEDED.search(s):
        style = '"'  # (or PyYAML's multi-line quoting: left to PyYAML itself)
    elif (
        s[0] == " "
        or s[-1] == " "
        or s.startswith(("---", "..."))
        or s[0] in "#,[]{}&*!|>'\"%@`"
        or (s[0] in "?:-" and (len(s) == 1 or s[1] == " "))
        or ": " in s
        or s[-1] == ":"
        or " #" in s
        or not _implicit_is_str(s)
    ):
        style = "'"
    else:
        style = ""
    if len(s) <= 64 and len(_style_cache) < 100_000:
        _style_cache[s] = style
    return style


def _fold(text: str, column: int, indent: int, quoted: bool) -> str:
    """PyYAML's write_plain / write_single_quoted line breaking for text without breaks.

    ``column`` is where the text starts. A single space (a run of exactly one) is
    replaced by a line break plus ``indent`` spaces when the column reached before it
    exceeds the best width (80); quoted scalars never break at a leading or trailing
    space.
    """
    if column + len(text) <= _BEST_WIDTH or " " not in text:
        return text
    out = []
    start = 0  # start of the current output line in `text`
    end = len(text) - 1
    pad = "\n" + " " * indent
    while True:
        # The first single space whose column (column + offset in line) exceeds 80.
        m = _BREAKABLE.search(text, start + max(0, _BEST_WIDTH + 1 - column))
        if quoted and m is not None:
            if m.start() == 0:
                m = _BREAKABLE.search(text, 1)
            if m is not None and m.start() == end:
                m = None
        if m is None:
            out.append(text[start:])
            return "".join(out)
        p = m.start()
        out.append(text[start:p])
        out.append(pad)
        start = p + 1
        column = indent


def _float_text(value: float) -> str:
    if value != value:
        return ".nan"
    if value == math.inf:
        return ".inf"
    if value == -math.inf:
        return "-.inf"
    text = repr(value).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def _scalar_text(value, column: int, indent: int) -> str:
    """Text after an indicator ending at ``column`` (``key:`` or ``-``), with its space."""
    if isinstance(value, str):
        style = _style_cache.get(value)
        if style is None:
            style = _style(value)
        if style == "":
            if column + len(value) < _BEST_WIDTH:
                return " " + value
            return " " + _fold(value, column + 1, indent, False)
        if style == "'":
            escaped = value.replace("'", "''")
            return " '" + _fold(escaped, column + 2, indent, True) + "'"
        raise ValueError("needs double quotes")  # caller falls back to yaml.dump
    if value is True:
        return " true"
    if value is False:
        return " false"
    if value is None:
        return " null"
    if isinstance(value, int):
        return " " + str(value)
    if isinstance(value, float):
        return " " + _float_text(value)
    raise TypeError(type(value))


def _key_text(key: str) -> str:
    style = _style(key)
    if style == "":
        return key
    if style == "'":
        return "'" + key.replace("'", "''") + "'"
    raise ValueError("needs double quotes")


def _emit_mapping(out: list, mapping: dict, indent: int, first_prefix: str | None = None):
    pad = " " * indent
    for key, value in mapping.items():
        key_text = _key_cache.get(key)
        if key_text is None:
            key_text = _key_cache[key] = _key_text(key)
        if first_prefix is not None:
            head = first_prefix + key_text + ":"
            first_prefix = None
        else:
            head = pad + key_text + ":"
        if type(value) is str:
            style = _style_cache.get(value)
            if style is None:
                style = _style(value)
            if style == "" and len(head) + len(value) < _BEST_WIDTH:
                out.append(f"{head} {value}\n")
            else:
                out.append(head + _scalar_text(value, len(head), indent + 2) + "\n")
        elif isinstance(value, dict):
            if value:
                out.append(head + "\n")
                _emit_mapping(out, value, indent + 2)
            else:
                out.append(head + " {}\n")
        elif isinstance(value, list):
            if value:
                out.append(head + "\n")
                _emit_sequence(out, value, indent)
            else:
                out.append(head + " []\n")
        else:
            out.append(head + _scalar_text(value, len(head), indent + 2) + "\n")


def _emit_sequence(out: list, items: list, indent: int):
    pad = " " * indent
    dash = pad + "- "
    limit = _BEST_WIDTH - indent - 2
    for item in items:
        if type(item) is str:
            style = _style_cache.get(item)
            if style is None:
                style = _style(item)
            if style == "" and len(item) < limit:
                out.append(f"{dash}{item}\n")
            else:
                out.append(pad + "-" + _scalar_text(item, indent + 1, indent + 2) + "\n")
        elif isinstance(item, dict):
            if not item:
                out.append(pad + "- {}\n")
            else:
                _emit_mapping(out, item, indent + 2, first_prefix=dash)
        elif isinstance(item, list):
            raise ValueError("nested sequences are not used in PFOCR records")
        else:
            out.append(pad + "-" + _scalar_text(item, indent + 1, indent + 2) + "\n")


def dump_front_matter(record: dict) -> str:
    """``yaml.safe_dump(record, sort_keys=False, allow_unicode=True)``, fast.

    Falls back to PyYAML itself for values this emitter does not produce (strings that
    need double quotes).
    """
    out: list[str] = []
    try:
        _emit_mapping(out, record, 0)
    except ValueError:
        return yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
    return "".join(out)


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


@dataclass
class CorpusSummary:
    n_records: int = 0
    n_papers: int = 0
    n_old_generation: int = 0
    n_current_generation: int = 0
    n_keyword_only: int = 0
    n_odd: int = 0
    tables: dict = field(default_factory=lambda: {"genes": 0, "chemicals": 0, "diseases": 0})
    first_pmc: int = 0
    last_pmc: int = 0


def _year(pmc: int) -> int:
    for (x0, y0), (x1, y1) in zip(YEAR_ANCHORS, YEAR_ANCHORS[1:]):
        if pmc <= x1:
            return max(2000, round(y0 + (y1 - y0) * (pmc - x0) / (x1 - x0)))
    return YEAR_ANCHORS[-1][1]


def _stable_int(text: str, lo: int, hi: int) -> int:
    return lo + zlib.crc32(text.encode("utf-8")) % (hi - lo)


def _symbol_for(symbol: str, style: str) -> str:
    if style == "H":
        return symbol
    if style == "M":
        return symbol[0] + symbol[1:].lower()
    if style == "Z":
        return symbol.lower()
    # fly-ish: some lower case, some with a suffix
    h = zlib.crc32(symbol.encode()) % 4
    return (
        symbol.lower(),
        symbol[0] + symbol[1:].lower(),
        symbol + "A",
        "CG" + str(10000 + zlib.crc32(symbol.encode()) % 9000),
    )[h]


class _Paper:
    __slots__ = (
        "pmc",
        "year",
        "generation",
        "journal",
        "title",
        "authors",
        "keywords",
        "volume",
        "article",
        "doi",
        "n_figures",
    )


def _paper(rng: random.Random, pmc: int, start: int, end: int) -> _Paper:
    p = _Paper()
    p.pmc = pmc
    p.year = _year(pmc)
    frac = min(1.0, max(0.0, (pmc - start) / max(1, end - start)))
    if pmc < 3_500_000:
        p_old = 0.95
    elif pmc < 8_000_000:
        p_old = 0.95 * (8_000_000 - pmc) / 4_500_000
    else:
        p_old = 0.0
    p.generation = "old" if rng.random() < p_old else "new"
    p.journal = rng.choices(JOURNALS, JOURNAL_WEIGHTS)[0]
    g1, g2 = rng.sample(HUMAN_GENES, 2)
    t = rng.random()
    if t < 0.25:
        tail = rng.choice(TITLE_TAILS + ["roles of " + g2])
        title = (
            f"{rng.choice(PROTEINS_GREEK)} and {g1} signaling in "
            f"{rng.choice(PROCESSES)}: {tail}."
        )
    elif t < 0.6:
        title = (
            f"{g1} regulates {rng.choice(PROCESSES)} via the {rng.choice(PATHWAYS)} "
            f"pathway in {rng.choice(CELLS)}."
        )
    elif t < 0.8:
        title = (
            f"Cross Talk between {rng.choice(PROTEINS_GREEK)} and {g1} Results in "
            f"Cooperative Regulation of {rng.choice(PROCESSES).title()}  and "
            f"{g2} Activity."
        )
    else:
        title = (
            f"Role of {rng.choice(PATHWAYS)} signaling pathway in "
            f"{rng.choice(DISEASES)[0].lower()}."
        )
    p.title = title
    initial = rng.choice("ABCDEFGHJKLMNPRST") + " " if rng.random() < 0.3 else ""
    p.authors = f"{rng.choice(FIRST_NAMES)} {initial}{rng.choice(LAST_NAMES)}"
    if p.generation == "new":
        k = rng.random()
        if k < 0.08:
            p.keywords = ""
        elif k < 0.14:
            p.keywords = ".na.character"
        else:
            p.keywords = " | ".join(rng.sample(TOPICS, rng.randint(2, 8)))
    else:
        p.keywords = None
    p.volume = max(1, p.year - 1995 + rng.randint(-3, 3))
    p.article = rng.randint(1000, 1_200_000)
    p.doi = f"10.{rng.choice(DOI_PREFIXES)}/{rng.choice(DOI_CODES)}.{p.year}.{p.article}"
    mean = 1.6 + 1.6 * frac
    n = 1
    while rng.random() < 1 - 1 / mean and n < 14:
        n += 1
    p.n_figures = n
    return p


def _file_stem(rng: random.Random, paper: _Paper, k: int) -> tuple[str, str]:
    """(file stem, figlink label) in the journal's style."""
    style = paper.journal[3]
    kind, _, code = style.partition(":")
    if kind == "frontiers":
        return f"{code}-{paper.volume}-{paper.article}-g{k:03d}", f"f{k}"
    if kind == "mdpi":
        return f"{code}-{paper.volume}-{paper.article % 100000:05d}-g{k:03d}", f"fig{k}"
    if kind == "springer":
        return f"{code}_{paper.year}_{paper.article % 100000}_Fig{k}_HTML", f"Fig{k}"
    if kind == "elsevier":
        return (f"gr{k}" if rng.random() < 0.97 else f"gr{k}_lrg"), f"fig{k}"
    if kind == "asm":
        return f"{code}{paper.article % 10_000_000:07d}{k:03d}", f"F{k}"
    if kind == "nihpp":
        return f"nihpp-{paper.year}.03.03.{paper.article % 1000000}v1-f{k:04d}", f"F{k}"
    if kind == "wiley":
        return f"{code}-{paper.volume}-{paper.article % 1000}-g{k:03d}", f"F{k}"
    if kind == "dove":
        return f"{code}-{paper.volume}-{paper.article % 1000}-g{k:04d}", f"F{k}"
    if kind == "jbm":
        return f"jbm-{paper.year}-{paper.volume}-1-1f{k}", f"F{k}"
    return f"{kind}{paper.volume:02d}{paper.article % 10000:04d}_fig{k:03d}", f"F{k}"


def _caption(rng: random.Random, genes: list, chems: list, dis: list, n_sent: int) -> str:
    out = []
    for _ in range(n_sent):
        tpl = rng.choice(SENTENCES)
        g = rng.sample(HUMAN_GENES, 4) if len(genes) < 4 else rng.sample(genes, 4)
        out.append(
            tpl.format(
                g1=g[0],
                g2=g[1],
                g3=g[2],
                g4=g[3],
                p1=rng.choice(PROTEINS_GREEK),
                p2=rng.choice(PROTEINS_GREEK),
                c1=(rng.choice(chems) if chems else rng.choice(CHEMICALS)[0]),
                proc=rng.choice(PROCESSES),
                cell=rng.choice(CELLS),
                pw=rng.choice(PATHWAYS),
                pw2=rng.choice(PATHWAYS),
                dis=(rng.choice(dis) if dis else rng.choice(DISEASES)[0]),
            )
        )
    text = " ".join(out)
    r = rng.random()
    if r < 0.05:
        text = "Figure " + str(rng.randint(1, 9)) + ". " + text
    elif r < 0.08:
        text = text.replace(". ", ".  ", 1)
    return text


def _ascii_title(text: str) -> str:
    return (
        text.replace("β", "Beta")
        .replace("α", "Alpha")
        .replace("γ", "Gamma")
        .replace("κ", "K")
        .replace("δ", "Delta")
        .replace("µ", "u")
        .replace("′", "'")
    )


def _ocr_word(rng: random.Random, symbol: str) -> str:
    r = rng.random()
    if r < 0.01:
        return "NA"
    word = symbol
    if r < 0.04 and any(c in GREEK_LOOKALIKE for c in word):
        word = "".join(GREEK_LOOKALIKE.get(c, c) for c in word)
    elif r < 0.08:
        word = word[:-1] if len(word) > 3 else word
    if r < 0.6:
        return word
    return OCR_DECORATIONS[int((r - 0.6) / 0.4 * len(OCR_DECORATIONS))].format(word)


_gene_ids: dict = {}


def _genes_table(rng: random.Random, genes: list) -> tuple[str, list]:
    """genes.tsv text and the unique ncbigene_symbol values in row order."""
    organisms = [ORGANISMS[0]]
    extra = rng.choices(ORGANISMS[1:], ORGANISM_WEIGHTS[1:], k=rng.choice([0, 0, 1, 1, 2, 3]))
    for org in extra:
        if org not in organisms:
            organisms.append(org)
    if rng.random() < 0.06:  # some tables have no human rows at all
        organisms = organisms[1:] or [ORGANISMS[1]]
    parts = [_GENES_HEADER]
    all_symbols = []
    rand = rng.random
    ids = _gene_ids
    sources = _SOURCES
    for taxid, name, group, style in organisms:
        chosen = genes if style == "H" else rng.sample(genes, max(1, len(genes) * 2 // 3))
        cores = []  # "word, match, ncbigene_symbol, ncbigene_id, source" per row
        matches = []
        n_direct = 0
        for sym in chosen:
            ident = ids.get((name, sym))
            if ident is None:
                nsym = _symbol_for(sym, style)
                gid = str(_stable_int(name + nsym, 1, 60_000_000))
                ident = ids[(name, sym)] = (nsym, f"\t{nsym}\t{gid}\t", f"{sym}\t{sym}")
            r = rand()
            if r < 0.6:  # the OCR word is the symbol itself
                head = ident[2]
                matches.append(sym)
            else:
                word = _ocr_word(rng, sym)
                match = word.strip("(),*↑↓").replace("p-", "").upper()
                head = f"{word}\t{match}"
                matches.append(match)
            r = rand()
            if r < 0.02:
                core = head + "\tNA\tNaN\t" + sources[int(r * 10)]
                all_symbols.append(".na.character")
            else:
                core = head + ident[1] + sources[int(r * 10)]
                all_symbols.append(ident[0])
            cores.append(core)
            n_direct += r < 0.6
            if 0.3 < r < 0.35:
                cores.append(core)  # exact duplicate row
                n_direct += 1
        n_syn = len(cores) - n_direct
        counts = [str(n_direct), str(n_syn) if n_syn else "NA", str(len(set(matches)))]
        if rand() < 0.1:
            counts[0] = "NA"
        prefix = f"{taxid}\t{name}\t{group}\t"
        tail = "\t" + "\t".join(counts) + "\n"
        parts.append(prefix)
        parts.append((tail + prefix).join(cores))
        parts.append(tail)
        if rand() < len(cores) / 60:  # a near-duplicate: only count_direct differs
            alt = ["NA" if counts[0] != "NA" else "1"] + counts[1:]
            parts.append(prefix + cores[int(rand() * len(cores))] + "\t" + "\t".join(alt) + "\n")
    return "".join(parts), list(dict.fromkeys(all_symbols))


_SOURCES = ["ncbigene_symbol"] * 6 + ["ncbigene_synonym"] * 3 + ["famplex_relations"]
_GENES_HEADER = (
    "organism_id\torganism_name\torganism_group\tword\tmatch\tncbigene_symbol\t"
    "ncbigene_id\tsource\tcount_direct\tcount_synonym\tcount_match\n"
)
_CHEM_HEADER = "word\tmesh\tmatch\tname\tchebi\n"
_DIS_HEADER = "word\tmesh\tmatch\tname\tdoid\n"


def _tsv(header: str, rows: list) -> str:
    return header + "".join("\t".join(r) + "\n" for r in rows)


def _figure(rng: random.Random, paper: _Paper, k: int, summary: CorpusSummary):
    stem, label = _file_stem(rng, paper, k)
    pmcid = f"PMC{paper.pmc}"
    figid = f"{pmcid}__{stem}"
    supplemental = rng.random() < 0.02
    number = f"SF{k}" if supplemental else f"F{k}"
    if paper.generation == "old" and rng.random() < 0.1:
        number = rng.choice(["", f"Figure {k}"])
    n_genes = min(len(HUMAN_GENES), max(1, int(rng.lognormvariate(2.95, 0.85))))
    genes = rng.sample(HUMAN_GENES, n_genes) if rng.random() < 0.9 else []
    chem_rows = [list(c) for c in rng.sample(CHEMICALS, rng.choice([0, 0, 1, 2, 3, 5, 8]))]
    for row in list(chem_rows):
        if rng.random() < 0.1:
            chem_rows.append(list(row))  # repeated chemical rows
        if rng.random() < 0.03:
            row[0] = row[0] + "  "  # trailing spaces in OCR words
    dis_rows = [
        [w, m, "NA", "NA", "NA"] for w, m in rng.sample(DISEASES, rng.choice([0, 0, 0, 1, 1, 2]))
    ]
    chem_words = [r[0] for r in chem_rows]
    dis_words = [r[0] for r in dis_rows]
    caption = _caption(
        rng, genes, chem_words, dis_words, rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15])
    )
    odd = rng.random() < 0.003
    if odd:
        pos = rng.randrange(len(caption))
        caption = caption[:pos] + rng.choice(ODD_CHARS) + caption[pos:]
        summary.n_odd += 1
    first = caption.split(". ")[0].rstrip(".")
    tables = {}

    if paper.generation == "old":
        summary.n_old_generation += 1
        hgnc = genes[:60]
        inline_genes = []
        for sym in hgnc:
            word = _ocr_word(rng, sym).replace("*", "")
            inline_genes.append(
                {
                    "word": word,
                    "symbol": word.strip("(),↑↓").upper(),
                    "source": rng.choice(
                        [
                            "hgnc_symbol",
                            "bioentities_symbol",
                            "hgnc_prev_symbol",
                            "hgnc_alias_symbol",
                        ]
                    ),
                    "hgnc_symbol": sym,
                    "entrez": str(_stable_int(sym, 1, 130_000)),
                }
            )
        inline_chems = [
            {"word": r[0].rstrip(), "source": "MESH", "identifier": r[1][5:]} for r in chem_rows
        ]
        inline_dis = [{"word": w, "source": "", "identifier": ""} for w in dis_words]
        keywords = list(dict.fromkeys(hgnc + [c["word"] for c in inline_chems] + dis_words))
        record = {
            "figid": figid,
            "figlink": f"/pmc/articles/{pmcid}/figure/{label}/",
            "number": number,
            "caption": caption,
            "pmcid": pmcid,
            "papertitle": paper.title,
            "reftext": f"{paper.authors}, et al. {paper.journal[1]}. {paper.year} "
            f"{rng.choice(['Jan', 'Mar', 'Jun', 'Sep', 'Dec'])};"
            f"{paper.volume}({rng.randint(1, 24)}):{paper.article % 9000}-"
            f"{paper.article % 9000 + 12}.",
            "pmc_ranked_result_index": str(rng.randint(1, 160_000)),
            "pathway_score": round(rng.uniform(0.9, 0.9999), 7),
            "filename": stem + ".jpg",
            "figtitle": _ascii_title(first),
            "year": str(paper.year),
            "organisms": (
                "Homo sapiens"
                if paper.pmc < 1_000_000
                else ["Homo sapiens"] + (["Mus musculus"] if rng.random() < 0.2 else [])
            ),
            "ndex": (
                ""
                if rng.random() < 0.6
                else f"{rng.getrandbits(32):08x}-deb4-11ea-99da-0ac135e8bacf"
            ),
            "annotations": [],
            "seo": "CreativeWork",
            "schema-jsonld": {
                "@context": "https://schema.org/",
                "@id": f"https://pfocr.wikipathways.org/figures/{figid}.html",
                "@type": "Dataset",
                "description": caption,
                "license": "CC0",
                "name": "CreativeWork",
                "creator": {"@type": "Organization", "name": "WikiPathways"},
                "keywords": keywords,
            },
            "genes": inline_genes,
            "chemicals": inline_chems,
            "diseases": inline_dis,
        }
        if not keywords:
            del record["schema-jsonld"]["keywords"]
        if rng.random() < 0.7:
            alias = number if number.startswith(("F", "SF")) else f"F{k}"
            record["figid_alias"] = f"{pmcid}__{alias}"
            record["redirect_from"] = f"/figures/{pmcid}__{alias}"
            record["figtype"] = "Figure"
        if genes and rng.random() < 0.7:
            tables["genes"] = _genes_table(rng, genes)[0]
    else:
        summary.n_current_generation += 1
        keyword_only = rng.random() < 0.08
        genes_tsv, symbols = _genes_table(rng, genes) if genes else ("", [])
        variant = rng.random()
        if not genes:
            keywords = list(dict.fromkeys(r[0] for r in chem_rows))
        elif variant < 0.05:
            keywords = symbols + list(dict.fromkeys(chem_words + dis_words))
        else:
            keywords = symbols
        if rng.random() < 0.02:
            keywords = keywords + ["On"]  # a quoted keyword, as in the sample
        if keyword_only:
            summary.n_keyword_only += 1
        else:
            if genes_tsv:
                tables["genes"] = genes_tsv
            if chem_rows and rng.random() < 0.9:
                tables["chemicals"] = _tsv(_CHEM_HEADER, chem_rows)
            if dis_rows and rng.random() < 0.8:
                tables["diseases"] = _tsv(_DIS_HEADER, dis_rows)
        organisms = (
            ["NA"]
            if rng.random() < 0.5
            else list(
                dict.fromkeys(rng.choices(FM_ORGANISMS, FM_ORGANISM_WEIGHTS, k=rng.randint(1, 5)))
            )
        )
        organisms_ner = list(
            dict.fromkeys(
                rng.choices(FM_ORGANISMS[:8], FM_ORGANISM_WEIGHTS[:8], k=rng.randint(1, 3))
            )
        )
        na_meta = paper.pmc < 8_000_000 and rng.random() < 0.3
        figtitle = paper.title.rstrip(".") if rng.random() < 0.5 else first
        record = {
            "figid": figid,
            "figtitle": figtitle,
            "organisms": organisms,
            "organisms_ner": organisms_ner,
            "pmcid": pmcid,
            "filename": stem + ".jpg",
            "figlink": (
                f"/pmc/articles/{pmcid}/figure/{label}/"
                if rng.random() < 0.95
                else f"pmc/articles/{pmcid}/figure/{label}/"
            ),
            "number": number,
            "caption": caption,
            "papertitle": paper.title,
            "reftext": f"{paper.authors}, et al. {paper.journal[1]}. {paper.year};"
            f"{paper.volume}:{paper.article}.",
            "year": str(paper.year),
            "doi": ".na.character" if na_meta else paper.doi,
            "journal_title": ".na.character" if na_meta else paper.journal[0],
            "journal_nlm_ta": ".na.character" if na_meta else paper.journal[1],
            "publisher_name": ".na.character" if na_meta else paper.journal[2],
            "keywords": ".na.character" if na_meta else paper.keywords,
            "automl_pathway": round(rng.uniform(0.5, 0.999), 7),
            "figid_alias": f"{pmcid}__{number}",
            "figtype": "Supplemental figure" if supplemental else "Figure",
            "redirect_from": f"/figures/{pmcid}__{number}",
            "ndex": "",
            "seo": "CreativeWork",
            "schema-jsonld": {
                "@context": "https://schema.org/",
                "@id": f"https://pfocr.wikipathways.org/figures/{figid}.html",
                "@type": "Dataset",
                "description": caption,
                "license": "CC0",
                "name": "CreativeWork",
                "creator": {"@type": "Organization", "name": "WikiPathways"},
                "keywords": keywords,
            },
        }
        if not keywords:
            del record["schema-jsonld"]["keywords"]
    if chem_rows and paper.generation == "old" and rng.random() < 0.5:
        tables["chemicals"] = _tsv(_CHEM_HEADER, chem_rows)
    return figid, record, tables


class _FastRandom(random.Random):
    """random.Random with cheaper choice/sample (index = int(random() * n)); the
    generator calls them hundreds of times per record. Still fully determined by the seed."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def sample(self, population, k):
        n = len(population)
        if not 0 <= k <= n:
            raise ValueError("sample larger than population or is negative")
        rand = self.random
        if k * 3 > n:  # partial Fisher-Yates on a copy
            pool = list(population)
            for i in range(k):
                j = i + int(rand() * (n - i))
                pool[i], pool[j] = pool[j], pool[i]
            return pool[:k]
        taken = set()
        out = []
        while len(out) < k:
            j = int(rand() * n)
            if j not in taken:
                taken.add(j)
                out.append(population[j])
        return out


def _paper_pmcs(rng: random.Random, n_papers: int, start: int, end: int):
    """Increasing PMC numbers with density growing linearly with the number."""
    a2, span = start * start, end * end - start * start
    prev = start - 1
    i = 0
    while True:
        frac = (i + rng.random()) / n_papers
        pmc = int(math.sqrt(a2 + frac * span))
        if pmc <= prev:
            pmc = prev + 1
        prev = pmc
        yield pmc
        i += 1


def iter_records(
    n: int, seed: int = 1, start_pmc: int = DEFAULT_START_PMC, summary: CorpusSummary | None = None
):
    """Yield ``(figid, front matter text, tables)`` for ``n`` records, deterministically.

    ``front matter text`` is the whole ``.md`` file; ``tables`` maps "genes",
    "chemicals", "diseases" to TSV text for the tables the record has.
    """
    rng = _FastRandom(seed)
    summary = summary if summary is not None else CorpusSummary()
    end = max(DEFAULT_END_PMC, start_pmc + 40 * n)
    pmcs = _paper_pmcs(rng, max(1, int(n / 2.4)), start_pmc, end)
    produced = 0
    while produced < n:
        paper = _paper(rng, next(pmcs), start_pmc, end)
        summary.n_papers += 1
        if not summary.first_pmc:
            summary.first_pmc = paper.pmc
        summary.last_pmc = paper.pmc
        for k in range(1, paper.n_figures + 1):
            if produced >= n:
                break
            figid, record, tables = _figure(rng, paper, k, summary)
            produced += 1
            summary.n_records += 1
            for name in tables:
                summary.tables[name] += 1
            yield figid, "---\n" + dump_front_matter(record) + "---\n", tables


def generate_corpus(
    out_dir, n: int, seed: int = 1, start_pmc: int = DEFAULT_START_PMC
) -> CorpusSummary:
    """Write ``n`` records under ``out_dir`` (``_figures/`` and ``_data/``).

    Files are written by a background thread (the system calls release the GIL), so file
    system time overlaps with generating the next records. The content does not depend
    on timing.
    """
    out = Path(out_dir)
    figures = out / "_figures"
    data = out / "_data"
    figures.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    summary = CorpusSummary()
    fig_dir = os.fspath(figures) + os.sep
    data_dir = os.fspath(data) + os.sep
    pending: queue.Queue = queue.Queue(maxsize=64)
    errors: list[BaseException] = []

    def writer() -> None:
        while True:
            batch = pending.get()
            if batch is None:
                return
            if errors:
                continue  # drain after a failure
            try:
                for path, text in batch:
                    _write(path, text)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

    thread = threading.Thread(target=writer, name="corpus-writer", daemon=True)
    thread.start()
    batch: list = []
    try:
        for figid, text, tables in iter_records(n, seed, start_pmc, summary):
            batch.append((fig_dir + figid + ".md", text))
            for name, tsv in tables.items():
                batch.append((f"{data_dir}{figid}-{name}.tsv", tsv))
            if len(batch) >= 256:
                pending.put(batch)
                batch = []
                if errors:
                    break
        pending.put(batch)
    finally:
        pending.put(None)
        thread.join()
    if errors:
        raise errors[0]
    return summary


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write(path: str, text: str) -> None:
    """Write UTF-8 text (no newline translation) with as few syscalls as possible."""
    data = text.encode("utf-8")
    fd = os.open(path, _WRITE_FLAGS, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
