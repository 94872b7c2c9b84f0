/**
 * Tasks about content a text model never receives: "describe the attached photo", "summarise
 * the article at this link", "what is shown in the video", "根据这张图片…". Only a reference to a
 * specific piece of media counts ("the following image", "this link", "附件中的图表"); asking to
 * write about photos in general, to describe an imagined picture, or to write code that shows
 * an image does not. The task passes when the input carries the content in words (a
 * description, the data of a chart); an input that is only a URL (a link's page is never
 * fetched), a file name or a stand-in such as "附上照片" does not carry it.
 */
import { looksLikeCode } from "../textShape.js";
import { excerpt, fail, PASS, type Rule } from "./types.js";

/** Media a text model never receives, whatever the wording points at. */
const VISUAL_OR_AUDIO_EN = "(?:image|images|picture|pictures|photo|photos|photograph|photographs|screenshot|screenshots|video|videos|video clip|audio|audio clip|recording|sound clip|podcast episode|attachment|diagram|chart|graph|map|figure|illustration|painting|drawing|sketch|scan)";
/** Pointers to documents that are not in the text: only with a strong deictic ("this link", "the attached file"). */
const LINKED_EN = "(?:link|url|website|web ?page|webpage|attached file|file|pdf|document|article)";
const STRONG_DEICTIC_EN = "(?:this|that|these|those|the (?:following|given|above|below|attached|provided|linked|uploaded|accompanying|shown|included|enclosed|supplied)|following|given|attached|provided|linked|uploaded|accompanying|enclosed)";
/** What follows when the text speaks of media in general or asks to make one, not of a given one. */
const NOT_A_GIVEN_ONE = String.raw`(?!\s+(?:of (?:a|an|your|someone|people)\b|that (?:you|shows a|would|could|will)|about\b|for\b|caption|captions|title|name|tag|element|url|file|format|size|width|height|src|gallery|slider|upload|data|structure|algorithm|library|class|object|processing|recognition))`;

const REFERENCE_EN = [
  // "the attached photo", "this video", "the following image", "the photo" (visual media: any article)
  new RegExp(String.raw`\b(?:${STRONG_DEICTIC_EN}|the)\s+(?:\w+\s+)?${VISUAL_OR_AUDIO_EN}\b${NOT_A_GIVEN_ONE}`, "i"),
  // "this link", "the following URL", "the attached file"
  new RegExp(String.raw`\b${STRONG_DEICTIC_EN}\s+(?:\w+\s+)?${LINKED_EN}\b${NOT_A_GIVEN_ONE}`, "i"),
  /\b(?:look at|watch|listen to|view|open|click|visit|refer to) (?:the|this|that|these) (?:\w+ )?(?:image|picture|photo|video|audio|recording|chart|graph|diagram|map|link|url|website|page|file|attachment)\b/i,
];
const REFERENCE_ZH = [
  /(?:这|那|该|此|以下|下面|下列|上面|上述|下方|上方|给定|所给|附件|附上|所附|提供)(?:的|中的)?(?:一|两|几)?(?:张|幅|个|段|份|条|部)?(?:图片|图像|照片|相片|截图|图表|示意图|插图|地图|视频|影片|音频|录音|链接|网址|网页|附件|PDF|文档)/i,
  /(?:看|观看|根据|参考|观察|听|收听|点击|打开|访问)(?:这|该|此|以下|下面|上面)?(?:张|幅|个|段|份|条)?(?:图片|图像|照片|图表|地图|视频|音频|录音|链接|网址|网页)/,
  /如图所示|见图|如下图|图中所示/,
];

const FILE_OR_PLACEHOLDER = /^\s*(?:<[^>]{1,30}>|\[[^\]]{1,30}\]|[\w\-. ]{1,60}\.(?:jpe?g|png|gif|bmp|webp|svg|mp4|mov|avi|mp3|wav|pdf|docx?|xlsx?|pptx?))\s*$/i;
const URL_ANYWHERE = /(?:https?:\/\/|www\.)\S+/gi;

/** A short input that only says media is there ("附上照片", "Image attached", "[photo]"). */
const MEDIA_STAND_IN = /^\s*[\[<(（【]?\s*(?:(?:the |an? )?(?:image|picture|photo|video|audio|recording|screenshot|attachment|file)s?(?: (?:attached|here|below|above|provided|link|url))?|(?:attached|see) (?:image|picture|photo|file)|(?:附上?|见|如下|下面的?)?(?:图片|照片|图像|视频|音频|截图|附件|链接)(?:如下|见附件|已附上?)?)\s*[\]>)）】.。:：]?\s*$/i;

/** Does the input carry the content itself, rather than a URL, a file name or a stand-in? */
function inputCarriesContent(input: string): boolean {
  const text = input.replace(URL_ANYWHERE, " ").trim();
  return text !== "" && !FILE_OR_PLACEHOLDER.test(text) && !MEDIA_STAND_IN.test(text);
}

function findReference(text: string): string | undefined {
  for (const pattern of [...REFERENCE_EN, ...REFERENCE_ZH]) {
    const match = pattern.exec(text);
    if (match) return match[0];
  }
  return undefined;
}

export const unseeableReference: Rule = (record) => {
  // Code that embeds, fetches or links media does not need to see it.
  if (looksLikeCode(record.output)) return PASS;
  const reference = findReference(record.instruction) ?? (record.input.length < 300 ? findReference(record.input) : undefined);
  if (reference === undefined) return PASS;
  if (inputCarriesContent(record.input)) return PASS;
  return fail({ reference: excerpt(reference, 60), input: excerpt(record.input, 60) });
};
