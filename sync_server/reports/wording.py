"""The report's own words in the five survey languages (factor names and question texts
come from questionnaire_specs and the spec)."""

from __future__ import annotations

LANGUAGES = ("en", "fr", "es", "pt", "ar")
RTL = frozenset({"ar"})

WORDS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Customs Integrity Perception Survey — results",
        "fr": "Enquête sur la perception de l'intégrité en douane — résultats",
        "es": "Encuesta de percepción de la integridad en las aduanas — resultados",
        "pt": "Inquérito sobre a perceção da integridade nas Alfândegas — resultados",
        "ar": "استبيان تصورات النزاهة في الجمارك — النتائج",
    },
    "respondents": {
        "en": "Respondents", "fr": "Répondants", "es": "Personas encuestadas",
        "pt": "Inquiridos", "ar": "المشاركون",
    },
    "factors": {
        "en": "The ten key factors", "fr": "Les dix facteurs clés",
        "es": "Los diez factores clave", "pt": "Os dez fatores-chave",
        "ar": "العوامل الرئيسية العشرة",
    },
    "factor": {"en": "Key factor", "fr": "Facteur clé", "es": "Factor clave",
               "pt": "Fator-chave", "ar": "العامل الرئيسي"},
    "index": {"en": "Index (0–100)", "fr": "Indice (0–100)", "es": "Índice (0–100)",
              "pt": "Índice (0–100)", "ar": "المؤشر (0–100)"},
    "interval": {"en": "95 % interval", "fr": "Intervalle à 95 %", "es": "Intervalo del 95 %",
                 "pt": "Intervalo de 95 %", "ar": "مجال الثقة 95 %"},
    "n": {"en": "n", "fr": "n", "es": "n", "pt": "n", "ar": "العدد"},
    "women": {"en": "Women", "fr": "Femmes", "es": "Mujeres", "pt": "Mulheres", "ar": "النساء"},
    "men": {"en": "Men", "fr": "Hommes", "es": "Hombres", "pt": "Homens", "ar": "الرجال"},
    "not_stated": {"en": "Not stated", "fr": "Non précisé", "es": "No indicado",
                   "pt": "Não indicado", "ar": "غير مذكور"},
    "by": {"en": "By", "fr": "Selon :", "es": "Según", "pt": "Por", "ar": "حسب"},
    "differ": {"en": "Do they differ? (Welch's ANOVA)",
               "fr": "Différences ? (ANOVA de Welch)",
               "es": "¿Difieren? (ANOVA de Welch)",
               "pt": "Diferem? (ANOVA de Welch)",
               "ar": "هل تختلف؟ (تحليل التباين لولش)"},
    "country": {"en": "country", "fr": "pays", "es": "país", "pt": "país", "ar": "البلد"},
    "all": {"en": "All", "fr": "Ensemble", "es": "Total", "pt": "Total", "ar": "الجميع"},
    "gap": {"en": "Gap (women − men)", "fr": "Écart (femmes − hommes)",
            "es": "Brecha (mujeres − hombres)", "pt": "Diferença (mulheres − homens)",
            "ar": "الفرق (النساء − الرجال)"},
    "change": {"en": "Change since the last wave", "fr": "Évolution depuis la vague précédente",
               "es": "Cambio desde la ronda anterior", "pt": "Variação desde a vaga anterior",
               "ar": "التغير منذ الجولة السابقة"},
    "alongside": {"en": "Compared with {other}", "fr": "Comparaison avec : {other}",
                  "es": "Comparación con: {other}", "pt": "Comparação com: {other}",
                  "ar": "مقارنة مع: {other}"},
    "alongside_text": {
        "en": "Each factor's index here minus that of {other} ({respondents} respondents, "
              "their own release of the same wave), with its 95 % interval (Welch's t test).",
        "fr": "Indice de chaque facteur ici moins celui de : {other} ({respondents} "
              "répondants, leur propre fichier de la même vague), avec son intervalle à 95 % "
              "(test t de Welch).",
        "es": "Índice de cada factor aquí menos el de: {other} ({respondents} personas, su "
              "propio archivo de la misma ronda), con su intervalo del 95 % (prueba t de Welch).",
        "pt": "Índice de cada fator aqui menos o de: {other} ({respondents} inquiridos, o seu "
              "próprio ficheiro da mesma vaga), com o seu intervalo de 95 % (teste t de Welch).",
        "ar": "مؤشر كل عامل هنا مطروحا منه مؤشر: {other} ({respondents} مشاركا، من ملفهم "
              "الخاص للجولة نفسها)، مع مجال الثقة 95 % (اختبار t لِولش).",
    },
    "difference": {"en": "Difference", "fr": "Différence", "es": "Diferencia",
                   "pt": "Diferença", "ar": "الفرق"},
    "significant": {"en": "significant", "fr": "significatif", "es": "significativa",
                    "pt": "significativa", "ar": "دال إحصائيا"},
    "hidden": {"en": "not shown", "fr": "non publié", "es": "no se muestra",
               "pt": "não apresentado", "ar": "غير معروض"},
    "experience": {"en": "Experience of corruption and reporting",
                   "fr": "Expérience de la corruption et du signalement",
                   "es": "Experiencia de la corrupción y de la denuncia",
                   "pt": "Experiência de corrupção e de denúncia",
                   "ar": "التجربة مع الفساد والإبلاغ عنه"},
    "rate_yes": {"en": "Share answering yes", "fr": "Part de « oui »",
                 "es": "Proporción de «sí»", "pt": "Proporção de «sim»",
                 "ar": "نسبة الإجابة بنعم"},
    "suppressed": {"en": "Cells not shown", "fr": "Cellules non publiées",
                   "es": "Celdas no publicadas", "pt": "Células não publicadas",
                   "ar": "الخانات غير المعروضة"},
    "small": {"en": "fewer than {min_n} respondents",
              "fr": "moins de {min_n} répondants",
              "es": "menos de {min_n} personas",
              "pt": "menos de {min_n} inquiridos",
              "ar": "أقل من {min_n} مشاركين"},
    "complementary": {"en": "would let a smaller cell be worked out from the total",
                      "fr": "permettrait de déduire une cellule plus petite du total",
                      "es": "permitiría deducir una celda más pequeña a partir del total",
                      "pt": "permitiria deduzir uma célula mais pequena a partir do total",
                      "ar": "كانت ستسمح باستنتاج خانة أصغر من المجموع"},
    "quality": {"en": "Data quality", "fr": "Qualité des données", "es": "Calidad de los datos",
                "pt": "Qualidade dos dados", "ar": "جودة البيانات"},
    "quality_text": {
        "en": "{excluded} of {respondents} respondents are left out of the indices: "
              "{straight} gave the same answer to every statement, {speeders} answered faster "
              "than {floor} seconds a question. Counting them would move an index by at most "
              "{largest} points.",
        "fr": "{excluded} des {respondents} répondants sont exclus des indices : {straight} ont "
              "donné la même réponse à toutes les affirmations, {speeders} ont répondu en moins "
              "de {floor} secondes par question. Les compter modifierait un indice d'au plus "
              "{largest} points.",
        "es": "{excluded} de las {respondents} personas quedan fuera de los índices: {straight} "
              "dieron la misma respuesta a todas las afirmaciones, {speeders} respondieron en "
              "menos de {floor} segundos por pregunta. Contarlas movería un índice como máximo "
              "{largest} puntos.",
        "pt": "{excluded} dos {respondents} inquiridos ficam fora dos índices: {straight} deram "
              "a mesma resposta a todas as afirmações, {speeders} responderam em menos de {floor} "
              "segundos por pergunta. Contá-los alteraria um índice no máximo {largest} pontos.",
        "ar": "استُبعد {excluded} من أصل {respondents} مشاركا من المؤشرات: {straight} أعطوا الإجابة "
              "نفسها لكل العبارات، و{speeders} أجابوا في أقل من {floor} ثانية للسؤال. "
              "ولو احتُسبوا لتغير المؤشر بما لا يزيد على {largest} نقطة.",
    },
    "method": {"en": "Method", "fr": "Méthode", "es": "Método", "pt": "Método",
               "ar": "المنهجية"},
    "method_text": {
        "en": "Each statement is rescaled from its five agreement points to 0–100 (strongly "
              "disagree 0, strongly agree 100); “don't know”, “prefer not to answer” and "
              "skipped statements are left out. A respondent's factor score is the mean of "
              "their statements on the factor when they answered at least half of them. The "
              "index is the mean of the scores, with a 95 % t interval. Gaps use Welch's t "
              "test, rates the Wilson interval and the two-proportion z test; a difference is "
              "significant when p < 0.05. Cells with fewer than {min_n} respondents are not "
              "shown, nor any cell that would let one be worked out from the total.",
        "fr": "Chaque affirmation est ramenée de ses cinq degrés d'accord à une échelle de 0 "
              "à 100 (pas du tout d'accord 0, tout à fait d'accord 100) ; « je ne sais pas », "
              "« je préfère ne pas répondre » et les affirmations sans réponse sont exclus. Le "
              "score d'un répondant pour un facteur est la moyenne de ses réponses à ce "
              "facteur s'il a répondu à au moins la moitié des affirmations. L'indice est la "
              "moyenne des scores, avec un intervalle t à 95 %. Les écarts sont testés par le "
              "test t de Welch, les proportions par l'intervalle de Wilson et le test z de deux "
              "proportions ; une différence est significative si p < 0,05. Les cellules de "
              "moins de {min_n} répondants ne sont pas publiées, ni aucune cellule qui "
              "permettrait d'en déduire une du total.",
        "es": "Cada afirmación se lleva de sus cinco grados de acuerdo a una escala de 0 a 100 "
              "(muy en desacuerdo 0, muy de acuerdo 100); «no sé», «prefiero no responder» y "
              "las afirmaciones sin respuesta se excluyen. La puntuación de una persona en un "
              "factor es la media de sus respuestas a ese factor si respondió al menos la "
              "mitad. El índice es la media de las puntuaciones, con un intervalo t del 95 %. "
              "Las brechas se prueban con la prueba t de Welch, las proporciones con el "
              "intervalo de Wilson y la prueba z de dos proporciones; una diferencia es "
              "significativa si p < 0,05. No se publican celdas de menos de {min_n} personas, "
              "ni ninguna celda que permita deducir otra a partir del total.",
        "pt": "Cada afirmação é convertida dos seus cinco graus de concordância para uma "
              "escala de 0 a 100 (discordo totalmente 0, concordo totalmente 100); «não sei», "
              "«prefiro não responder» e as afirmações sem resposta são excluídos. A "
              "pontuação de um inquirido num fator é a média das suas respostas a esse fator "
              "se respondeu a pelo menos metade delas. O índice é a média das pontuações, com "
              "um intervalo t de 95 %. As diferenças usam o teste t de Welch, as proporções o "
              "intervalo de Wilson e o teste z de duas proporções; uma diferença é "
              "significativa se p < 0,05. Não se publicam células com menos de {min_n} "
              "inquiridos, nem células que permitam deduzir outra a partir do total.",
        "ar": "تُحوَّل كل عبارة من درجات الموافقة الخمس إلى مقياس من 0 إلى 100 (لا أوافق بشدة 0، "
              "أوافق بشدة 100)، وتُستبعد إجابات «لا أعرف» و«أفضّل عدم الإجابة» والعبارات التي لم "
              "يُجَب عنها. ودرجة المشارك في عامل ما هي متوسط إجاباته عن عبارات هذا العامل إذا أجاب "
              "عن نصفها على الأقل. والمؤشر هو متوسط الدرجات مع مجال ثقة t بنسبة 95 %. وتُختبر "
              "الفروق باختبار t لولش، والنسب بمجال ويلسون واختبار z لنسبتين، ويكون الفرق دالا "
              "إحصائيا إذا كانت p < 0.05. ولا تُعرض الخانات التي يقل عدد المشاركين فيها عن "
              "{min_n}، ولا أي خانة تسمح باستنتاج خانة أخرى من المجموع.",
    },
}  # fmt: skip


def word(key: str, lang: str, **values: object) -> str:
    text = WORDS[key].get(lang) or WORDS[key]["en"]
    return text.format(**values) if values else text
