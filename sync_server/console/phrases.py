"""The console's words in its five languages, chosen per user; Arabic is written right to
left. One row per phrase: (en, fr, es, pt, ar). Placeholders are filled with str.format."""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES = ("en", "fr", "es", "pt", "ar")
LANGUAGE_NAMES = {
    "en": "English", "fr": "Français", "es": "Español", "pt": "Português", "ar": "العربية",
}  # fmt: skip
RIGHT_TO_LEFT = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"

_ROWS: dict[str, tuple[str, str, str, str, str]] = {
    "console": (
        "Survey console",
        "Console de l'enquête",
        "Consola de la encuesta",
        "Consola do inquérito",
        "لوحة المسح",
    ),
    "fleet": ("Fleet", "Parc de tablettes", "Flota", "Frota", "الأجهزة"),
    "releases": ("Releases", "Diffusions", "Publicaciones", "Publicações", "الإصدارات"),
    "users": ("Users", "Utilisateurs", "Usuarios", "Utilizadores", "المستخدمون"),
    "audit": (
        "Audit log",
        "Journal d'audit",
        "Registro de auditoría",
        "Registo de auditoria",
        "سجل التدقيق",
    ),
    "quarantine": ("Quarantine", "Quarantaine", "Cuarentena", "Quarentena", "الحجر"),
    "sign_out": ("Sign out", "Se déconnecter", "Cerrar sesión", "Terminar sessão", "تسجيل الخروج"),
    "language": ("Language", "Langue", "Idioma", "Idioma", "اللغة"),
    "save": ("Save", "Enregistrer", "Guardar", "Guardar", "حفظ"),
    "signed_in_as": (
        "Signed in as {name} ({role})",
        "Connecté en tant que {name} ({role})",
        "Sesión de {name} ({role})",
        "Sessão de {name} ({role})",
        "مسجل الدخول باسم {name} ({role})",
    ),
    "sign_in_title": ("Sign in", "Connexion", "Iniciar sesión", "Iniciar sessão", "تسجيل الدخول"),
    "name": ("Name", "Nom", "Nombre", "Nome", "الاسم"),
    "password": ("Password", "Mot de passe", "Contraseña", "Palavra-passe", "كلمة المرور"),
    "sign_in": ("Sign in", "Se connecter", "Entrar", "Entrar", "دخول"),
    "wrong_password": (
        "The name or password is wrong, or the user is disabled.",
        "Le nom ou le mot de passe est faux, ou l'utilisateur est désactivé.",
        "El nombre o la contraseña no son correctos, o el usuario está desactivado.",
        "O nome ou a palavra-passe estão errados, ou o utilizador está desativado.",
        "الاسم أو كلمة المرور غير صحيحة، أو أن المستخدم معطل.",
    ),
    "wait": (
        "Too many failed sign-ins: try again in {seconds} s.",
        "Trop d'échecs de connexion : réessayez dans {seconds} s.",
        "Demasiados intentos fallidos: vuelva a intentarlo en {seconds} s.",
        "Demasiadas tentativas falhadas: tente novamente dentro de {seconds} s.",
        "محاولات فاشلة كثيرة: حاول مرة أخرى بعد {seconds} ثانية.",
    ),
    "held": (
        "This account is held after repeated wrong passwords: an administrator can lift the hold.",
        "Ce compte est bloqué après des mots de passe faux répétés : un administrateur peut le "
        "débloquer.",
        "Esta cuenta está bloqueada tras contraseñas erróneas repetidas: un administrador puede "
        "desbloquearla.",
        "Esta conta está bloqueada após palavras-passe erradas repetidas: um administrador pode "
        "desbloqueá-la.",
        "هذا الحساب موقوف بعد تكرار كلمات مرور خاطئة: يمكن للمسؤول رفع الإيقاف.",
    ),
    "signed_out": (
        "You are signed out.",
        "Vous êtes déconnecté.",
        "Ha cerrado la sesión.",
        "Terminou a sessão.",
        "تم تسجيل خروجك.",
    ),
    "refused_title": ("Not allowed", "Non autorisé", "No permitido", "Não permitido", "غير مسموح"),
    "refused_body": (
        "Your role or countries do not allow this. The attempt was recorded.",
        "Votre rôle ou vos pays ne le permettent pas. La tentative a été enregistrée.",
        "Su función o sus países no lo permiten. El intento quedó registrado.",
        "A sua função ou os seus países não o permitem. A tentativa foi registada.",
        "دورك أو بلدانك لا تسمح بذلك. تم تسجيل المحاولة.",
    ),
    "csrf_refused": (
        "This form has expired or did not come from this console: reload the page and try again.",
        "Ce formulaire a expiré ou ne vient pas de cette console : rechargez la page et réessayez.",
        "Este formulario caducó o no viene de esta consola: recargue la página e inténtelo de "
        "nuevo.",
        "Este formulário expirou ou não veio desta consola: recarregue a página e tente novamente.",
        "انتهت صلاحية هذا النموذج أو لم يأتِ من هذه اللوحة: أعد تحميل الصفحة وحاول مجددًا.",
    ),
    "not_found": ("Not found.", "Introuvable.", "No encontrado.", "Não encontrado.", "غير موجود."),
    "station": ("Station", "Station", "Estación", "Estação", "الجهاز"),
    "country": ("Country", "Pays", "País", "País", "البلد"),
    "region": ("Region", "Région", "Región", "Região", "المنطقة"),
    "status": ("Status", "État", "Estado", "Estado", "الحالة"),
    "app_version": (
        "App version",
        "Version de l'application",
        "Versión de la aplicación",
        "Versão da aplicação",
        "إصدار التطبيق",
    ),
    "specs": ("Questionnaires", "Questionnaires", "Cuestionarios", "Questionários", "الاستبيانات"),
    "last_sync": (
        "Last sync",
        "Dernière synchro",
        "Última sincronización",
        "Última sincronização",
        "آخر مزامنة",
    ),
    "last_beacon": ("Last beacon", "Dernier signal", "Última señal", "Último sinal", "آخر إشارة"),
    "outbox": ("Outbox", "En attente", "Pendientes", "Pendentes", "صندوق الصادر"),
    "received": ("Received", "Reçues", "Recibidas", "Recebidas", "المستلمة"),
    "duplicates": ("Duplicates", "Doublons", "Duplicados", "Duplicados", "المكررة"),
    "conflicts": ("Conflicts", "Conflits", "Conflictos", "Conflitos", "التعارضات"),
    "gaps": ("Missing", "Manquantes", "Faltantes", "Em falta", "المفقودة"),
    "clock_skew": (
        "Clock skew",
        "Décalage d'horloge",
        "Desfase del reloj",
        "Desvio do relógio",
        "فرق الساعة",
    ),
    "filter": ("Filter", "Filtrer", "Filtrar", "Filtrar", "تصفية"),
    "all": ("All", "Tous", "Todos", "Todos", "الكل"),
    "active": ("active", "active", "activa", "ativa", "نشط"),
    "revoked": ("revoked", "révoquée", "revocada", "revogada", "ملغى"),
    "stale": (
        "not synced for {days} days",
        "pas de synchro depuis {days} jours",
        "sin sincronizar desde hace {days} días",
        "sem sincronizar há {days} dias",
        "بلا مزامنة منذ {days} يوم",
    ),
    "never_synced": (
        "never synced",
        "jamais synchronisée",
        "nunca sincronizada",
        "nunca sincronizada",
        "لم يزامن قط",
    ),
    "clock_wrong": (
        "clock wrong",
        "horloge fausse",
        "reloj erróneo",
        "relógio errado",
        "الساعة خاطئة",
    ),
    "spike": (
        "spike: {recent} in the last hour",
        "pic : {recent} dans la dernière heure",
        "pico: {recent} en la última hora",
        "pico: {recent} na última hora",
        "ذروة: {recent} في الساعة الأخيرة",
    ),
    "revoke": ("Revoke", "Révoquer", "Revocar", "Revogar", "إلغاء"),
    "no_stations": (
        "No station matches.",
        "Aucune station ne correspond.",
        "Ninguna estación coincide.",
        "Nenhuma estação corresponde.",
        "لا يوجد جهاز مطابق.",
    ),
    "stations_shown": (
        "{shown} of {total} stations",
        "{shown} stations sur {total}",
        "{shown} de {total} estaciones",
        "{shown} de {total} estações",
        "{shown} من {total} جهاز",
    ),
    "revoke_title": (
        "Revoke station {station}",
        "Révoquer la station {station}",
        "Revocar la estación {station}",
        "Revogar a estação {station}",
        "إلغاء الجهاز {station}",
    ),
    "revoke_warning": (
        "A revoked station can send nothing more: its batches and beacons are refused from now "
        "on. This cannot be undone.",
        "Une station révoquée ne peut plus rien envoyer : ses lots et signaux sont refusés "
        "désormais. C'est irréversible.",
        "Una estación revocada ya no puede enviar nada: sus lotes y señales se rechazan desde "
        "ahora. No se puede deshacer.",
        "Uma estação revogada não pode enviar mais nada: os seus lotes e sinais são recusados a "
        "partir de agora. Não pode ser desfeito.",
        "لا يستطيع الجهاز الملغى إرسال أي شيء بعد الآن: تُرفض دفعاته وإشاراته من الآن. لا يمكن "
        "التراجع عن ذلك.",
    ),
    "confirm_revoke": (
        "Yes, revoke this station",
        "Oui, révoquer cette station",
        "Sí, revocar esta estación",
        "Sim, revogar esta estação",
        "نعم، ألغِ هذا الجهاز",
    ),
    "cancel": ("Cancel", "Annuler", "Cancelar", "Cancelar", "إلغاء الأمر"),
    "revoked_done": (
        "Station {station} is revoked.",
        "La station {station} est révoquée.",
        "La estación {station} está revocada.",
        "A estação {station} está revogada.",
        "تم إلغاء الجهاز {station}.",
    ),
    "enrol": (
        "Enrol a station",
        "Inscrire une station",
        "Inscribir una estación",
        "Inscrever uma estação",
        "تسجيل جهاز",
    ),
    "populations": (
        "Populations",
        "Populations",
        "Poblaciones",
        "Populações",
        "الفئات",
    ),
    "lifetime_days": (
        "Token valid for (days)",
        "Jeton valable (jours)",
        "Token válido (días)",
        "Token válido (dias)",
        "صلاحية الرمز (أيام)",
    ),
    "server_url": (
        "Server URL the station reaches",
        "URL du serveur pour la station",
        "URL del servidor para la estación",
        "URL do servidor para a estação",
        "عنوان الخادم للجهاز",
    ),
    "issue": (
        "Issue the token",
        "Émettre le jeton",
        "Emitir el token",
        "Emitir o token",
        "إصدار الرمز",
    ),
    "enrol_done": (
        "Scan this code on the tablet, or copy the bundle to it. The token works once, until "
        "{expires}.",
        "Scannez ce code sur la tablette, ou copiez-y le paquet. Le jeton sert une fois, "
        "jusqu'au {expires}.",
        "Escanee este código en la tableta, o copie el paquete en ella. El token sirve una vez, "
        "hasta {expires}.",
        "Leia este código no tablet, ou copie o pacote para ele. O token serve uma vez, até "
        "{expires}.",
        "امسح هذا الرمز على الجهاز اللوحي أو انسخ الحزمة إليه. يعمل الرمز مرة واحدة حتى {expires}.",
    ),
    "token": (
        "Token",
        "Jeton",
        "Token",
        "Token",
        "الرمز",
    ),
    "operator_pinned": (
        "The station will pin the operator key {fingerprint}: it must be the fingerprint "
        "written down when the operator key was made. The station takes a new survey key "
        "only if this key signed it.",
        "La tablette retiendra la clé d'opérateur {fingerprint} : ce doit être l'empreinte "
        "notée à la création de la clé d'opérateur. La tablette n'accepte une nouvelle clé "
        "d'enquête que si cette clé l'a signée.",
        "La tableta fijará la clave de operador {fingerprint}: debe ser la huella anotada al "
        "crear la clave de operador. La tableta solo acepta una nueva clave de encuesta si "
        "esta clave la firmó.",
        "O tablet fixará a chave de operador {fingerprint}: deve ser a impressão digital "
        "anotada quando a chave de operador foi criada. O tablet só aceita uma nova chave de "
        "inquérito se esta chave a assinou.",
        "سيثبّت الجهاز اللوحي مفتاح المشغّل {fingerprint}: يجب أن تكون هذه البصمة المدوّنة عند "
        "إنشاء مفتاح المشغّل. لا يقبل الجهاز مفتاح مسح جديدًا إلا إذا وقّعه هذا المفتاح.",
    ),
    "operator_missing": (
        "This server has no operator key: the station will never switch to a new survey key "
        "(mss server operator-key new, then enrol it again).",
        "Ce serveur n'a pas de clé d'opérateur : la tablette ne changera jamais de clé "
        "d'enquête (mss server operator-key new, puis enrôlez-la à nouveau).",
        "Este servidor no tiene clave de operador: la tableta nunca cambiará de clave de "
        "encuesta (mss server operator-key new, y luego inscríbala de nuevo).",
        "Este servidor não tem chave de operador: o tablet nunca mudará de chave de inquérito "
        "(mss server operator-key new, e depois inscreva-o de novo).",
        "لا يملك هذا الخادم مفتاح مشغّل: لن ينتقل الجهاز اللوحي أبدًا إلى مفتاح مسح جديد "
        "(mss server operator-key new، ثم سجّله من جديد).",
    ),
    "download_bundle": (
        "Download the bundle",
        "Télécharger le paquet",
        "Descargar el paquete",
        "Descarregar o pacote",
        "تنزيل الحزمة",
    ),
    "enrol_refused": (
        "The token cannot be issued: {why}",
        "Le jeton ne peut pas être émis : {why}",
        "No se puede emitir el token: {why}",
        "O token não pode ser emitido: {why}",
        "لا يمكن إصدار الرمز: {why}",
    ),
    "build_release": (
        "Build a release",
        "Construire une diffusion",
        "Preparar una publicación",
        "Preparar uma publicação",
        "إنشاء إصدار",
    ),
    "build": (
        "Build",
        "Construire",
        "Preparar",
        "Preparar",
        "إنشاء",
    ),
    "jobs": (
        "Releases being built",
        "Diffusions en préparation",
        "Publicaciones en preparación",
        "Publicações em preparação",
        "إصدارات قيد الإنشاء",
    ),
    "latest": (
        "latest",
        "la dernière",
        "la última",
        "a mais recente",
        "الأحدث",
    ),
    "queued": (
        "waiting",
        "en attente",
        "en espera",
        "em espera",
        "في الانتظار",
    ),
    "running": (
        "being built",
        "en cours",
        "en curso",
        "em curso",
        "قيد الإنشاء",
    ),
    "done": (
        "ready",
        "prête",
        "lista",
        "pronta",
        "جاهز",
    ),
    "failed": (
        "failed",
        "échouée",
        "fallida",
        "falhada",
        "فشل",
    ),
    "job_queued": (
        "The release is being built: this page shows when it is ready.",
        "La diffusion est en préparation : cette page indique quand elle est prête.",
        "La publicación se está preparando: esta página indica cuándo está lista.",
        "A publicação está a ser preparada: esta página indica quando estiver pronta.",
        "يجري إنشاء الإصدار: تُظهر هذه الصفحة متى يصبح جاهزًا.",
    ),
    "reason": ("Reason", "Motif", "Motivo", "Motivo", "السبب"),
    "detail": ("Detail", "Détail", "Detalle", "Detalhe", "التفاصيل"),
    "when": ("When", "Quand", "Cuándo", "Quando", "متى"),
    "envelope": ("Envelope", "Enveloppe", "Sobre", "Envelope", "الظرف"),
    "sequence": ("Sequence", "Séquence", "Secuencia", "Sequência", "التسلسل"),
    "kind": ("Kind", "Type", "Tipo", "Tipo", "النوع"),
    "intake_conflict": (
        "refused at intake",
        "refusée à la réception",
        "rechazada al recibir",
        "recusada na receção",
        "مرفوض عند الاستلام",
    ),
    "processor_quarantine": (
        "set aside by the processor",
        "écartée par le traitement",
        "apartada por el procesamiento",
        "posta de parte pelo processamento",
        "مُستبعد من المعالجة",
    ),
    "quarantine_empty": (
        "Nothing is in quarantine.",
        "Rien n'est en quarantaine.",
        "Nada está en cuarentena.",
        "Nada está em quarentena.",
        "لا شيء في الحجر.",
    ),
    # --- results reports from the releases page
    "make_report": (
        "Make a results report",
        "Faire un rapport de résultats",
        "Hacer un informe de resultados",
        "Fazer um relatório de resultados",
        "إعداد تقرير النتائج",
    ),
    "compare_with": (
        "Change since",
        "Évolution depuis",
        "Cambio desde",
        "Mudança desde",
        "التغير منذ",
    ),
    "alongside": (
        "Beside",
        "À côté de",
        "Junto a",
        "Ao lado de",
        "بجانب",
    ),
    "min_n": (
        "Smallest cell shown",
        "Plus petite case affichée",
        "Celda más pequeña mostrada",
        "Menor célula mostrada",
        "أصغر خلية معروضة",
    ),
    "make": ("Make", "Faire", "Hacer", "Fazer", "إعداد"),
    "report_made": (
        "The report is made: its files are listed with the release.",
        "Le rapport est fait : ses fichiers sont listés avec la diffusion.",
        "El informe está hecho: sus archivos figuran con la publicación.",
        "O relatório está feito: os seus ficheiros estão listados com a publicação.",
        "أُعدّ التقرير: ملفاته مدرجة مع الإصدار.",
    ),
    "report_refused": (
        "The report was not made:",
        "Le rapport n'a pas été fait :",
        "El informe no se hizo:",
        "O relatório não foi feito:",
        "لم يُعدّ التقرير:",
    ),
    # --- fieldwork against its targets
    "fieldwork": (
        "Fieldwork against targets",
        "Terrain par rapport aux objectifs",
        "Trabajo de campo frente a las metas",
        "Trabalho de campo face às metas",
        "العمل الميداني مقابل الأهداف",
    ),
    "targets": (
        "Set targets",
        "Fixer les objectifs",
        "Fijar metas",
        "Definir metas",
        "تحديد الأهداف",
    ),
    "targets_help": (
        "A target is the sample size wanted per questionnaire, wave, country and population; "
        "0 removes it. Responses count once processed.",
        "Un objectif est la taille d'échantillon voulue par questionnaire, vague, pays et "
        "population ; 0 le supprime. Les réponses comptent une fois traitées.",
        "Una meta es el tamaño de muestra deseado por cuestionario, ola, país y población; "
        "0 la elimina. Las respuestas cuentan una vez procesadas.",
        "Uma meta é a dimensão de amostra pretendida por questionário, vaga, país e "
        "população; 0 remove-a. As respostas contam depois de processadas.",
        "الهدف هو حجم العينة المطلوب لكل استبيان وجولة وبلد وفئة؛ 0 يحذفه. تُحسب الإجابات "
        "بعد معالجتها.",
    ),
    "population": ("Population", "Population", "Población", "População", "الفئة"),
    "target": ("Target", "Objectif", "Meta", "Meta", "الهدف"),
    "gender_split": (
        "By gender",
        "Par genre",
        "Por género",
        "Por sexo",
        "حسب الجنس",
    ),
    "split_withheld": (
        "withheld: a group has fewer than {k}",
        "masqué : un groupe compte moins de {k}",
        "oculto: un grupo tiene menos de {k}",
        "oculto: um grupo tem menos de {k}",
        "محجوب: في إحدى الفئات أقل من {k}",
    ),
    "no_targets": (
        "No target is set for your countries.",
        "Aucun objectif n'est fixé pour vos pays.",
        "No hay metas fijadas para sus países.",
        "Não há metas definidas para os seus países.",
        "لم يُحدَّد أي هدف لبلدانك.",
    ),
    "target_unknown_spec": (
        "Choose a questionnaire this server knows.",
        "Choisissez un questionnaire connu de ce serveur.",
        "Elija un cuestionario que este servidor conozca.",
        "Escolha um questionário que este servidor conheça.",
        "اختر استبيانًا يعرفه هذا الخادم.",
    ),
    "target_wave": (
        "A wave is a four-digit year.",
        "Une vague est une année à quatre chiffres.",
        "Una ola es un año de cuatro cifras.",
        "Uma vaga é um ano com quatro algarismos.",
        "الجولة سنة من أربعة أرقام.",
    ),
    "target_population": (
        "Choose a population of the registered questionnaires.",
        "Choisissez une population des questionnaires enregistrés.",
        "Elija una población de los cuestionarios registrados.",
        "Escolha uma população dos questionários registados.",
        "اختر فئة من الاستبيانات المسجلة.",
    ),
    "target_count": (
        "A target is a whole number of responses (0 removes it).",
        "Un objectif est un nombre entier de réponses (0 le supprime).",
        "Una meta es un número entero de respuestas (0 la elimina).",
        "Uma meta é um número inteiro de respostas (0 remove-a).",
        "الهدف عدد صحيح من الإجابات (0 يحذفه).",
    ),
    # --- releasing from quarantine
    "quarantine_help": (
        "Releasing sends an envelope back to the processor once its cause is fixed (a key, a "
        "spec): it checks it anew, and sets it aside again if the cause remains.",
        "Libérer renvoie une enveloppe au traitement une fois la cause corrigée (une clé, un "
        "questionnaire) : il la vérifie à nouveau et l'écarte encore si la cause demeure.",
        "Liberar devuelve un sobre al procesamiento una vez corregida la causa (una clave, un "
        "cuestionario): lo comprueba de nuevo y lo aparta otra vez si la causa persiste.",
        "Libertar devolve um envelope ao processamento depois de corrigida a causa (uma "
        "chave, um questionário): volta a verificá-lo e põe-no de parte se a causa persistir.",
        "الإفراج يعيد المظروف إلى المعالجة بعد إصلاح السبب (مفتاح أو استبيان): تفحصه من "
        "جديد وتستبعده مرة أخرى إن بقي السبب.",
    ),
    "quarantine_release": ("Release", "Libérer", "Liberar", "Libertar", "إفراج"),
    "quarantine_released": (
        "Sent back to the processor:",
        "Renvoyée au traitement :",
        "Devuelto al procesamiento:",
        "Devolvido ao processamento:",
        "أُعيد إلى المعالجة:",
    ),
    "quarantine_still": (
        "Still conflicts with what is stored, so it stays in quarantine:",
        "Toujours en conflit avec ce qui est stocké, elle reste en quarantaine :",
        "Sigue en conflicto con lo almacenado, así que queda en cuarentena:",
        "Continua em conflito com o que está guardado, por isso fica em quarentena:",
        "لا يزال يتعارض مع المخزَّن، لذا يبقى في الحجر:",
    ),
    # --- importing USB files by upload
    "import": ("USB import", "Import USB", "Importación USB", "Importação USB", "استيراد USB"),
    "import_help": (
        "Choose the files of a station's USB export (manifest.json and its .mssb files): up "
        "to {files} files, {mib} MiB at once. They go through the same checks as over the "
        "network; files imported before count as already here.",
        "Choisissez les fichiers d'un export USB de station (manifest.json et ses fichiers "
        ".mssb) : jusqu'à {files} fichiers, {mib} Mio à la fois. Ils passent les mêmes "
        "contrôles que par le réseau ; les fichiers déjà importés comptent comme déjà reçus.",
        "Elija los archivos de una exportación USB de una estación (manifest.json y sus "
        "archivos .mssb): hasta {files} archivos, {mib} MiB a la vez. Pasan los mismos "
        "controles que por la red; los ya importados cuentan como ya recibidos.",
        "Escolha os ficheiros de uma exportação USB de uma estação (manifest.json e os seus "
        "ficheiros .mssb): até {files} ficheiros, {mib} MiB de cada vez. Passam as mesmas "
        "verificações que pela rede; os já importados contam como já recebidos.",
        "اختر ملفات تصدير USB من جهاز (manifest.json وملفات .mssb): حتى {files} ملف و{mib} "
        "ميغابايت في المرة. تمر بالفحوص نفسها كما عبر الشبكة؛ والملفات المستوردة من قبل "
        "تُحسب موجودة.",
    ),
    "import_files": (
        "Export files",
        "Fichiers exportés",
        "Archivos exportados",
        "Ficheiros exportados",
        "الملفات المصدّرة",
    ),
    "import_button": ("Import", "Importer", "Importar", "Importar", "استيراد"),
    "import_result": (
        "What was imported",
        "Ce qui a été importé",
        "Lo que se importó",
        "O que foi importado",
        "ما تم استيراده",
    ),
    "import_counts": (
        "{files} files: {accepted} new envelopes, {duplicate} already here, {conflict} conflicts",
        "{files} fichiers : {accepted} nouvelles enveloppes, {duplicate} déjà reçues, "
        "{conflict} conflits",
        "{files} archivos: {accepted} sobres nuevos, {duplicate} ya recibidos, "
        "{conflict} conflictos",
        "{files} ficheiros: {accepted} envelopes novos, {duplicate} já recebidos, "
        "{conflict} conflitos",
        "{files} ملفات: {accepted} مظاريف جديدة، {duplicate} موجودة من قبل، {conflict} تعارضات",
    ),
    "import_missing": (
        "In the manifest but not uploaded:",
        "Dans le manifeste mais pas envoyé :",
        "En el manifiesto pero no subido:",
        "No manifesto mas não enviado:",
        "في البيان ولم يُرفع:",
    ),
    "import_ignored": (
        "Left aside (neither a batch file nor the manifest):",
        "Laissés de côté (ni lot ni manifeste) :",
        "Dejados de lado (ni lote ni manifiesto):",
        "Postos de parte (nem lote nem manifesto):",
        "تُركت جانبًا (ليست ملف دفعة ولا البيان):",
    ),
    "import_refused_folder": (
        "These files cannot be imported:",
        "Ces fichiers ne peuvent pas être importés :",
        "Estos archivos no se pueden importar:",
        "Estes ficheiros não podem ser importados:",
        "لا يمكن استيراد هذه الملفات:",
    ),
    "no_files": (
        "Choose at least one file.",
        "Choisissez au moins un fichier.",
        "Elija al menos un archivo.",
        "Escolha pelo menos um ficheiro.",
        "اختر ملفًا واحدًا على الأقل.",
    ),
    "upload_too_large": (
        "Too many files or too large at once: import them in several parts.",
        "Trop de fichiers ou trop volumineux en une fois : importez-les en plusieurs parties.",
        "Demasiados archivos o demasiado grandes a la vez: impórtelos en varias partes.",
        "Demasiados ficheiros ou demasiado grandes de uma vez: importe-os em várias partes.",
        "ملفات كثيرة جدًا أو كبيرة جدًا دفعة واحدة: استوردها على عدة أجزاء.",
    ),
    "file": ("File", "Fichier", "Archivo", "Ficheiro", "الملف"),
    "release": ("Release", "Diffusion", "Publicación", "Publicação", "الإصدار"),
    "scope": ("Scope", "Portée", "Alcance", "Âmbito", "النطاق"),
    "national": ("national", "nationale", "nacional", "nacional", "وطني"),
    "pooled": ("pooled", "regroupée", "agrupada", "agregada", "مجمّع"),
    "spec": ("Questionnaire", "Questionnaire", "Cuestionario", "Questionário", "الاستبيان"),
    "wave": ("Wave", "Vague", "Ola", "Vaga", "الجولة"),
    "format": ("Format", "Format", "Formato", "Formato", "الصيغة"),
    "rows": ("Rows", "Lignes", "Filas", "Linhas", "الصفوف"),
    "created": ("Created", "Créée", "Creada", "Criada", "أُنشئ"),
    "files": ("Files", "Fichiers", "Archivos", "Ficheiros", "الملفات"),
    "data": ("data", "données", "datos", "dados", "البيانات"),
    "codebook": (
        "codebook",
        "dictionnaire des variables",
        "libro de códigos",
        "livro de códigos",
        "دليل المتغيرات",
    ),
    "risk_report": (
        "risk report",
        "rapport de risque",
        "informe de riesgo",
        "relatório de risco",
        "تقرير المخاطر",
    ),
    "results_report": (
        "results report",
        "rapport de résultats",
        "informe de resultados",
        "relatório de resultados",
        "تقرير النتائج",
    ),
    "no_releases": (
        "No release you may download yet.",
        "Aucune diffusion que vous pouvez télécharger pour l'instant.",
        "Aún no hay publicaciones que pueda descargar.",
        "Ainda não há publicações que possa descarregar.",
        "لا يوجد إصدار يمكنك تنزيله بعد.",
    ),
    "role": ("Role", "Rôle", "Función", "Função", "الدور"),
    "countries": ("Countries", "Pays", "Países", "Países", "البلدان"),
    "disabled": ("Disabled", "Désactivé", "Desactivado", "Desativado", "معطل"),
    "yes": ("yes", "oui", "sí", "sim", "نعم"),
    "no": ("no", "non", "no", "não", "لا"),
    "at": ("At", "Le", "Fecha", "Data", "الوقت"),
    "actor": ("Who", "Qui", "Quién", "Quem", "من"),
    "action": ("Action", "Action", "Acción", "Ação", "الإجراء"),
    "outcome": ("Outcome", "Résultat", "Resultado", "Resultado", "النتيجة"),
    "show": ("Show", "Afficher", "Mostrar", "Mostrar", "عرض"),
    "audit_empty": (
        "No entry matches.",
        "Aucune entrée ne correspond.",
        "Ninguna entrada coincide.",
        "Nenhuma entrada corresponde.",
        "لا يوجد سجل مطابق.",
    ),
}


def phrase(lang: str, key: str, **values: object) -> str:
    row = _ROWS[key]
    text = row[LANGUAGES.index(lang)] if lang in LANGUAGES else row[0]
    return text.format(**values) if values else text


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def phrase_keys() -> list[str]:
    return list(_ROWS)


def best_language(accepted: Iterable[str]) -> str:
    """The first of the browser's languages (Accept-Language order) the console speaks."""
    for tag in accepted:
        base = tag.split(";", 1)[0].strip().lower().split("-", 1)[0]
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE
