// Every text the send-sms hook puts in front of a user: the SMS itself, and the error messages Auth
// passes on to the app. Kept short: the OTP text fits one segment (160 GSM-7 characters for uz and en,
// 70 UCS-2 characters for ru).

export const languages = ["uz", "ru", "en"] as const;
export type Language = (typeof languages)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (languages as readonly string[]).includes(value);
}

/** Why Twilio cannot deliver to a number; each is the user's to fix, not ours. */
export type NumberProblem = "invalid" | "not_mobile" | "unsubscribed" | "unreachable";

export interface Messages {
  otp(code: string): string;
  /** Over the hourly or daily cap; `minutes` until the next code may be sent. */
  capped(minutes: number): string;
  numberProblem: Record<NumberProblem, string>;
  /** Twilio is down or refused for a reason that is not the number's. */
  unavailable: string;
}

const messages: Record<Language, Messages> = {
  uz: {
    otp: (code) => `Tangent: tasdiqlash kodingiz ${code}. Uni hech kimga aytmang.`,
    capped: (minutes) => `Bu raqamga juda ko'p kod yuborildi. ${minutes} daqiqadan keyin qayta urinib ko'ring.`,
    numberProblem: {
      invalid: "Telefon raqami noto'g'ri.",
      not_mobile: "Bu raqam SMS qabul qila olmaydi. Mobil telefon raqamini kiriting.",
      unsubscribed: "Bu raqam Tangent SMS xabarlaridan voz kechgan. Qayta yoqish uchun bizga START deb yozing.",
      unreachable: "Bu raqamga SMS yuborib bo'lmaydi.",
    },
    unavailable: "SMS hozir yuborilmadi. Birozdan keyin qayta urinib ko'ring.",
  },
  ru: {
    otp: (code) => `Tangent: код подтверждения ${code}. Никому его не сообщайте.`,
    capped: (minutes) => `На этот номер отправлено слишком много кодов. Повторите попытку через ${minutes} мин.`,
    numberProblem: {
      invalid: "Неверный номер телефона.",
      not_mobile: "Этот номер не принимает SMS. Укажите номер мобильного телефона.",
      unsubscribed: "Этот номер отписан от SMS Tangent. Чтобы снова получать коды, отправьте нам START.",
      unreachable: "На этот номер нельзя отправить SMS.",
    },
    unavailable: "Не удалось отправить SMS. Повторите попытку чуть позже.",
  },
  en: {
    otp: (code) => `Tangent: your verification code is ${code}. Do not share it with anyone.`,
    capped: (minutes) => `Too many codes were sent to this number. Try again in ${minutes} min.`,
    numberProblem: {
      invalid: "This phone number is not valid.",
      not_mobile: "This number cannot receive SMS. Use a mobile phone number.",
      unsubscribed: "This number has opted out of Tangent SMS. Text START to us to receive codes again.",
      unreachable: "SMS cannot be sent to this number.",
    },
    unavailable: "The SMS could not be sent right now. Try again in a moment.",
  },
};

export function messagesFor(language: Language): Messages {
  return messages[language];
}
