// SPDX-License-Identifier: Apache-2.0
// Live character/segment counter, same rules as the encoder (3GPP TS 23.038 / 23.040):
// GSM 7-bit 160 per message, 153 per part; UCS2 70, 67 per part (UTF-16 units).

const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = '^{}\\[~]|€\f';

export function plan(text) {
  let gsm = true;
  let septets = 0;
  for (const ch of text) {
    if (GSM.includes(ch)) septets += 1;
    else if (GSM_EXT.includes(ch)) septets += 2;
    else { gsm = false; break; }
  }
  if (gsm) {
    const segments = septets <= 160 ? 1 : Math.ceil(septets / 153);
    const per = segments === 1 ? 160 : 153;
    return { encoding: 'gsm7', units: septets, segments, per, remaining: segments * per - septets };
  }
  let units = 0;
  for (const ch of text) units += ch.codePointAt(0) > 0xffff ? 2 : 1;
  const segments = units <= 70 ? 1 : Math.ceil(units / 67);
  const per = segments === 1 ? 70 : 67;
  return { encoding: 'ucs2', units, segments, per, remaining: segments * per - units };
}
