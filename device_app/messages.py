"""The station's words, in the five survey languages: one catalogue for the survey session
and the kiosk. Pure Python (no Kivy): the session is pure, and the kiosk reads the session.

Two tables: what a respondent reads when the rule book (questionnaire_specs.answers) refuses
an answer, keyed by its problem codes; and the kiosk's own words (buttons, warnings,
coordinator menu), keyed by name. Question texts come from the spec; only the frame around
them lives here. A language the catalogue does not know falls back to English, so a new spec
language still works.
"""

from __future__ import annotations

from questionnaire_specs import answers as rules

FALLBACK = "en"

# Messages for the rule book's problem codes; `{min}`, `{max}` and `{max_length}` are filled
# in (by the session, which knows the question). A constraint's own message comes from the spec.
ANSWER_MESSAGES: dict[str, dict[str, str]] = {
    rules.REQUIRED: {
        "en": "An answer is needed to go on.",
        "fr": "Une réponse est nécessaire pour continuer.",
        "es": "Se necesita una respuesta para continuar.",
        "pt": "É necessária uma resposta para continuar.",
        "ar": "يلزم تقديم إجابة للمتابعة.",
    },
    rules.NOT_AN_OPTION: {
        "en": "Please choose one of the options.",
        "fr": "Veuillez choisir l'une des options.",
        "es": "Elija una de las opciones.",
        "pt": "Escolha uma das opções.",
        "ar": "يرجى اختيار أحد الخيارات.",
    },
    # An option no longer offered: an earlier answer changed what this question shows.
    rules.FILTERED_OUT: {
        "en": "Please choose one of the options shown.",
        "fr": "Veuillez choisir l'une des options affichées.",
        "es": "Elija una de las opciones mostradas.",
        "pt": "Escolha uma das opções apresentadas.",
        "ar": "يرجى اختيار أحد الخيارات المعروضة.",
    },
    rules.EXCLUSIVE_OPTION: {
        "en": "This option cannot be combined with others.",
        "fr": "Cette option ne peut pas être combinée avec d'autres.",
        "es": "Esta opción no se puede combinar con otras.",
        "pt": "Esta opção não pode ser combinada com outras.",
        "ar": "لا يمكن الجمع بين هذا الخيار وخيارات أخرى.",
    },
    rules.NOT_A_NUMBER: {
        "en": "Please enter a number.",
        "fr": "Veuillez saisir un nombre.",
        "es": "Introduzca un número.",
        "pt": "Introduza um número.",
        "ar": "يرجى إدخال رقم.",
    },
    rules.NOT_A_WHOLE_NUMBER: {
        "en": "Please enter a whole number.",
        "fr": "Veuillez saisir un nombre entier.",
        "es": "Introduzca un número entero.",
        "pt": "Introduza um número inteiro.",
        "ar": "يرجى إدخال عدد صحيح.",
    },
    rules.BELOW_MINIMUM: {
        "en": "The smallest accepted answer is {min}.",
        "fr": "La plus petite réponse acceptée est {min}.",
        "es": "La respuesta mínima aceptada es {min}.",
        "pt": "A resposta mínima aceite é {min}.",
        "ar": "أصغر إجابة مقبولة هي {min}.",
    },
    rules.ABOVE_MAXIMUM: {
        "en": "The largest accepted answer is {max}.",
        "fr": "La plus grande réponse acceptée est {max}.",
        "es": "La respuesta máxima aceptada es {max}.",
        "pt": "A resposta máxima aceite é {max}.",
        "ar": "أكبر إجابة مقبولة هي {max}.",
    },
    rules.NOT_TEXT: {
        "en": "Please type your answer.",
        "fr": "Veuillez saisir votre réponse.",
        "es": "Escriba su respuesta.",
        "pt": "Escreva a sua resposta.",
        "ar": "يرجى كتابة إجابتك.",
    },
    rules.TOO_LONG: {
        "en": "Please keep to {max_length} characters.",
        "fr": "Veuillez ne pas dépasser {max_length} caractères.",
        "es": "No supere los {max_length} caracteres.",
        "pt": "Não ultrapasse {max_length} caracteres.",
        "ar": "يرجى ألا تتجاوز {max_length} حرفا.",
    },
    rules.CONSTRAINT: {
        "en": "This answer is not accepted.",
        "fr": "Cette réponse n'est pas acceptée.",
        "es": "Esta respuesta no es aceptada.",
        "pt": "Esta resposta não é aceite.",
        "ar": "هذه الإجابة غير مقبولة.",
    },
    rules.NOTE_HAS_NO_ANSWER: {
        "en": "This page takes no answer.",
        "fr": "Cette page n'attend pas de réponse.",
        "es": "Esta página no requiere respuesta.",
        "pt": "Esta página não requer resposta.",
        "ar": "لا تتطلب هذه الصفحة إجابة.",
    },
}
ANSWER_MESSAGES[rules.NOT_ON_STEP] = {
    "en": "Please pick one of the marked values.",
    "fr": "Veuillez choisir l'une des valeurs indiquées.",
    "es": "Elija uno de los valores marcados.",
    "pt": "Escolha um dos valores assinalados.",
    "ar": "يرجى اختيار إحدى القيم المحددة.",
}
ANSWER_MESSAGES[rules.NOT_A_DATE] = {
    "en": "Please choose a day, a month and a year.",
    "fr": "Veuillez choisir un jour, un mois et une année.",
    "es": "Elija un día, un mes y un año.",
    "pt": "Escolha um dia, um mês e um ano.",
    "ar": "يرجى اختيار اليوم والشهر والسنة.",
}
ANSWER_MESSAGES[rules.UNRANKED_OPTION] = {
    "en": "Please put the options in order.",
    "fr": "Veuillez classer les options.",
    "es": "Ordene las opciones.",
    "pt": "Ordene as opções.",
    "ar": "يرجى ترتيب الخيارات.",
}
# A list that is not a list of the options, or repeats one, reads to a respondent as a bad pick.
ANSWER_MESSAGES[rules.NOT_A_LIST] = ANSWER_MESSAGES[rules.NOT_AN_OPTION]
ANSWER_MESSAGES[rules.REPEATED_OPTION] = ANSWER_MESSAGES[rules.NOT_AN_OPTION]
ANSWER_MESSAGES[rules.TOO_MANY_RANKED] = ANSWER_MESSAGES[rules.UNRANKED_OPTION]
# A calculated value is never the respondent's: should one not fit, it reads as a refusal.
ANSWER_MESSAGES[rules.NOT_AS_CALCULATED] = ANSWER_MESSAGES[rules.CONSTRAINT]

# The kiosk's own words.
KIOSK_WORDS: dict[str, dict[str, str]] = {
    "next": {"en": "Next", "fr": "Suivant", "es": "Siguiente", "pt": "Seguinte", "ar": "التالي"},
    "back": {"en": "Back", "fr": "Retour", "es": "Atrás", "pt": "Voltar", "ar": "رجوع"},
    "finish": {"en": "Finish", "fr": "Terminer", "es": "Terminar", "pt": "Concluir", "ar": "إنهاء"},
    "start": {"en": "Start", "fr": "Commencer", "es": "Empezar", "pt": "Começar", "ar": "ابدأ"},
    "language": {"en": "Language", "fr": "Langue", "es": "Idioma", "pt": "Idioma", "ar": "اللغة"},
    # the rank list's key that takes the order shown as the answer
    "keep_order": {
        "en": "Keep this order",
        "fr": "Garder cet ordre",
        "es": "Mantener este orden",
        "pt": "Manter esta ordem",
        "ar": "الإبقاء على هذا الترتيب",
    },
    # the rank list's keys that move an option one place up or down
    "rank_up": {"en": "Up", "fr": "Monter", "es": "Subir", "pt": "Subir", "ar": "لأعلى"},
    "rank_down": {
        "en": "Down",
        "fr": "Descendre",
        "es": "Bajar",
        "pt": "Descer",
        "ar": "لأسفل",
    },
    # the date widget's three pickers
    "day": {"en": "Day", "fr": "Jour", "es": "Día", "pt": "Dia", "ar": "اليوم"},
    "month": {"en": "Month", "fr": "Mois", "es": "Mes", "pt": "Mês", "ar": "الشهر"},
    "year": {"en": "Year", "fr": "Année", "es": "Año", "pt": "Ano", "ar": "السنة"},
    "choose_population": {
        "en": "Which describes you?",
        "fr": "Qui êtes-vous ?",
        "es": "¿Quién es usted?",
        "pt": "Quem é você?",
        "ar": "أي وصف ينطبق عليك؟",
    },
    "progress": {
        "en": "Question {n} of {total}",
        "fr": "Question {n} sur {total}",
        "es": "Pregunta {n} de {total}",
        "pt": "Pergunta {n} de {total}",
        "ar": "السؤال {n} من {total}",
    },
    "required": {
        "en": "Please answer this question.",
        "fr": "Veuillez répondre à cette question.",
        "es": "Por favor, responda a esta pregunta.",
        "pt": "Por favor, responda a esta pergunta.",
        "ar": "يرجى الإجابة على هذا السؤال.",
    },
    "answer_required": {
        "en": "An answer is required.",
        "fr": "Une réponse est obligatoire.",
        "es": "Se requiere una respuesta.",
        "pt": "É obrigatório responder.",
        "ar": "الإجابة مطلوبة.",
    },
    "still_there": {
        "en": "Are you still there?",
        "fr": "Êtes-vous toujours là ?",
        "es": "¿Sigue ahí?",
        "pt": "Ainda está aí?",
        "ar": "هل ما زلت هنا؟",
    },
    "idle_countdown": {
        "en": "The survey will close in {seconds} seconds and your answers will be removed.",
        "fr": "Le questionnaire se fermera dans {seconds} secondes et vos réponses seront "
        "effacées.",
        "es": "La encuesta se cerrará en {seconds} segundos y sus respuestas se borrarán.",
        "pt": "O questionário fecha em {seconds} segundos e as suas respostas serão apagadas.",
        "ar": "سيُغلق الاستبيان خلال {seconds} ثانية وستُحذف إجاباتك.",
    },
    "continue": {
        "en": "Continue",
        "fr": "Continuer",
        "es": "Continuar",
        "pt": "Continuar",
        "ar": "متابعة",
    },
    "thanks_title": {
        "en": "Thank you!",
        "fr": "Merci !",
        "es": "¡Gracias!",
        "pt": "Obrigado!",
        "ar": "شكرا لك!",
    },
    "thanks_body": {
        "en": "Your answers have been saved anonymously. You can leave the tablet now.",
        "fr": "Vos réponses ont été enregistrées anonymement. Vous pouvez laisser la tablette.",
        "es": "Sus respuestas se han guardado de forma anónima. Puede dejar la tableta.",
        "pt": "As suas respostas foram guardadas de forma anónima. Pode deixar o tablet.",
        "ar": "حُفظت إجاباتك دون الكشف عن هويتك. يمكنك ترك الجهاز الآن.",
    },
    "key_space": {"en": "Space", "fr": "Espace", "es": "Espacio", "pt": "Espaço", "ar": "مسافة"},
    "key_delete": {"en": "Delete", "fr": "Effacer", "es": "Borrar", "pt": "Apagar", "ar": "حذف"},
    "key_shift": {"en": "Shift", "fr": "Maj", "es": "Mayús", "pt": "Maiús", "ar": "Shift"},
    "key_more": {"en": "123", "fr": "123", "es": "123", "pt": "123", "ar": "123"},
    "key_letters": {"en": "ABC", "fr": "ABC", "es": "ABC", "pt": "ABC", "ar": "أبج"},
    "characters_left": {
        "en": "{n} characters left",
        "fr": "{n} caractères restants",
        "es": "Quedan {n} caracteres",
        "pt": "Restam {n} caracteres",
        "ar": "متبقٍ {n} حرفا",
    },
    "not_a_number": {
        "en": "Please enter a number.",
        "fr": "Veuillez saisir un nombre.",
        "es": "Por favor, introduzca un número.",
        "pt": "Por favor, introduza um número.",
        "ar": "يرجى إدخال رقم.",
    },
    # the coordinator's side
    "locked_title": {
        "en": "This station is locked",
        "fr": "Cette station est verrouillée",
        "es": "Esta estación está bloqueada",
        "pt": "Esta estação está bloqueada",
        "ar": "هذه المحطة مقفلة",
    },
    "passphrase": {
        "en": "Coordinator passphrase",
        "fr": "Phrase secrète du coordinateur",
        "es": "Frase de acceso del coordinador",
        "pt": "Frase-passe do coordenador",
        "ar": "عبارة مرور المنسق",
    },
    "unlock": {
        "en": "Unlock",
        "fr": "Déverrouiller",
        "es": "Desbloquear",
        "pt": "Desbloquear",
        "ar": "فتح القفل",
    },
    "unlocking": {
        "en": "Unlocking…",
        "fr": "Déverrouillage…",
        "es": "Desbloqueando…",
        "pt": "A desbloquear…",
        "ar": "جارٍ فتح القفل…",
    },
    "unlock_failed": {
        "en": "Wrong passphrase, or the station files are damaged.",
        "fr": "Phrase secrète incorrecte, ou fichiers de la station abîmés.",
        "es": "Frase incorrecta, o los archivos de la estación están dañados.",
        "pt": "Frase-passe errada, ou ficheiros da estação danificados.",
        "ar": "عبارة المرور خاطئة أو ملفات المحطة تالفة.",
    },
    "pin_title": {
        "en": "Coordinator PIN",
        "fr": "Code PIN du coordinateur",
        "es": "PIN del coordinador",
        "pt": "PIN do coordenador",
        "ar": "رمز المنسق",
    },
    "pin_wrong": {
        "en": "Wrong PIN.",
        "fr": "Code PIN incorrect.",
        "es": "PIN incorrecto.",
        "pt": "PIN errado.",
        "ar": "الرمز خاطئ.",
    },
    "pin_locked": {
        "en": "Too many wrong tries. Wait {seconds} s.",
        "fr": "Trop d'essais. Attendez {seconds} s.",
        "es": "Demasiados intentos. Espere {seconds} s.",
        "pt": "Demasiadas tentativas. Aguarde {seconds} s.",
        "ar": "محاولات خاطئة كثيرة. انتظر {seconds} ثانية.",
    },
    "ok": {"en": "OK", "fr": "OK", "es": "OK", "pt": "OK", "ar": "موافق"},
    "cancel": {"en": "Cancel", "fr": "Annuler", "es": "Cancelar", "pt": "Cancelar", "ar": "إلغاء"},
    "clear": {"en": "Clear", "fr": "Effacer", "es": "Borrar", "pt": "Limpar", "ar": "مسح"},
    "menu_title": {
        "en": "Coordinator menu",
        "fr": "Menu du coordinateur",
        "es": "Menú del coordinador",
        "pt": "Menu do coordenador",
        "ar": "قائمة المنسق",
    },
    "station": {
        "en": "Station",
        "fr": "Station",
        "es": "Estación",
        "pt": "Estação",
        "ar": "المحطة",
    },
    "pending": {
        "en": "Waiting to be sent",
        "fr": "En attente d'envoi",
        "es": "Pendientes de envío",
        "pt": "A aguardar envio",
        "ar": "بانتظار الإرسال",
    },
    "acknowledged": {
        "en": "Sent and confirmed",
        "fr": "Envoyées et confirmées",
        "es": "Enviadas y confirmadas",
        "pt": "Enviadas e confirmadas",
        "ar": "أُرسلت وتأكدت",
    },
    "last_sync": {
        "en": "Last sync",
        "fr": "Dernière synchronisation",
        "es": "Última sincronización",
        "pt": "Última sincronização",
        "ar": "آخر مزامنة",
    },
    "wrong_clock": {
        "en": "The tablet's clock says {date}: set the date and time",
        "fr": "L'horloge de la tablette indique le {date} : réglez la date et l'heure",
        "es": "El reloj de la tableta marca {date}: ajuste la fecha y la hora",
        "pt": "O relógio do tablet indica {date}: acerte a data e a hora",
        "ar": "ساعة الجهاز تشير إلى {date}: اضبط التاريخ والوقت",
    },
    "never": {"en": "never", "fr": "jamais", "es": "nunca", "pt": "nunca", "ar": "أبدا"},
    "specs": {
        "en": "Questionnaires",
        "fr": "Questionnaires",
        "es": "Cuestionarios",
        "pt": "Questionários",
        "ar": "الاستبيانات",
    },
    "sync_now": {
        "en": "Sync now",
        "fr": "Synchroniser",
        "es": "Sincronizar ahora",
        "pt": "Sincronizar agora",
        "ar": "زامن الآن",
    },
    "syncing": {
        "en": "Sending…",
        "fr": "Envoi…",
        "es": "Enviando…",
        "pt": "A enviar…",
        "ar": "جارٍ الإرسال…",
    },
    "sync_done": {
        "en": "Sync finished.",
        "fr": "Synchronisation terminée.",
        "es": "Sincronización terminada.",
        "pt": "Sincronização concluída.",
        "ar": "اكتملت المزامنة.",
    },
    "sync_failed": {
        "en": "Sync failed: {reason}",
        "fr": "Échec de la synchronisation : {reason}",
        "es": "Falló la sincronización: {reason}",
        "pt": "A sincronização falhou: {reason}",
        "ar": "فشلت المزامنة: {reason}",
    },
    "export_usb": {
        "en": "Export to USB",
        "fr": "Exporter sur clé USB",
        "es": "Exportar a USB",
        "pt": "Exportar para USB",
        "ar": "تصدير إلى USB",
    },
    "export_here": {
        "en": "Export to this folder",
        "fr": "Exporter dans ce dossier",
        "es": "Exportar a esta carpeta",
        "pt": "Exportar para esta pasta",
        "ar": "صدّر إلى هذا المجلد",
    },
    "export_done": {
        "en": "Exported to {path}.",
        "fr": "Exporté dans {path}.",
        "es": "Exportado a {path}.",
        "pt": "Exportado para {path}.",
        "ar": "صُدّر إلى {path}.",
    },
    "export_failed": {
        "en": "Export failed: {reason}",
        "fr": "Échec de l'export : {reason}",
        "es": "Falló la exportación: {reason}",
        "pt": "A exportação falhou: {reason}",
        "ar": "فشل التصدير: {reason}",
    },
    "lock_station": {
        "en": "Lock station",
        "fr": "Verrouiller la station",
        "es": "Bloquear la estación",
        "pt": "Bloquear a estação",
        "ar": "اقفل المحطة",
    },
    "exit_kiosk": {
        "en": "Exit kiosk",
        "fr": "Quitter le kiosque",
        "es": "Salir del quiosco",
        "pt": "Sair do quiosque",
        "ar": "الخروج من الكشك",
    },
    "close_menu": {
        "en": "Close menu",
        "fr": "Fermer le menu",
        "es": "Cerrar el menú",
        "pt": "Fechar o menu",
        "ar": "أغلق القائمة",
    },
}


def answer_template(code: str, language: str) -> str | None:
    """The message template for the rule book's problem ``code`` in ``language`` (English
    when not translated); None for a code we have no words for."""
    templates = ANSWER_MESSAGES.get(code)
    if templates is None:
        return None
    return templates.get(language, templates[FALLBACK])


def text(key: str, language: str, **values: object) -> str:
    """The kiosk's word for ``key`` in ``language`` (English when not translated)."""
    entry = KIOSK_WORDS[key]
    template = entry.get(language) or entry[FALLBACK]
    return template.format(**values) if values else template


def catalogue_keys() -> list[str]:
    """The names of the kiosk's words."""
    return list(KIOSK_WORDS)
