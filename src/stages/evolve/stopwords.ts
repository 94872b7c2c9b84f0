/**
 * Stop words for elimination rule 3 ("the response is only punctuation and stop words").
 * English: the common NLTK-style list. Chinese: frequent function words, pronouns and fillers
 * of the widely used Chinese stop-word lists (single characters and the short words built from them).
 */

export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself
  it its itself they them their theirs themselves what which who whom this that these those am is are was were be been
  being have has had having do does did doing a an the and but if or because as until while of at by for with about
  against between into through during before after above below to from up down in out on off over under again further
  then once here there when where why how all any both each few more most other some such no nor not only own same so
  than too very s t can will just don should now d ll m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma
  mightn mustn needn shan shouldn wasn weren won wouldn i'm you're it's that's there's can't don't won't isn't
  oh ok okay well yes yeah um uh hmm also would could might must shall may let us`.split(/\s+/),
);

/** Longest first, so that removing them from a text takes 这个 before 这. */
export const CHINESE_STOPWORDS: readonly string[] = [
  "的", "了", "是", "在", "和", "与", "及", "或", "也", "就", "都", "而", "又", "还", "把", "被", "让", "给", "对", "向",
  "从", "自", "以", "为", "于", "之", "其", "此", "彼", "这", "那", "哪", "些", "个", "者", "所", "着", "过", "吗", "呢",
  "吧", "啊", "呀", "哦", "嗯", "哈", "嘛", "么", "啦", "呗", "哎", "唉", "喔", "我", "你", "您", "他", "她", "它", "们",
  "我们", "你们", "他们", "她们", "它们", "咱们", "自己", "这个", "那个", "这些", "那些", "这样", "那样", "这么", "那么",
  "这里", "那里", "什么", "怎么", "怎样", "如何", "为什么", "因为", "所以", "但是", "可是", "然而", "而且", "并且",
  "如果", "虽然", "即使", "就是", "还是", "或者", "以及", "然后", "于是", "不过", "只是", "其实", "也就是", "等等",
  "一些", "一个", "一下", "有些", "有点", "非常", "很", "太", "更", "最", "已经", "正在", "将", "会", "能", "可以",
  "应该", "要", "得", "地", "上", "下", "中", "里", "有", "没", "没有", "不", "嘛", "罢了", "而已", "总之", "反正",
].sort((a, b) => b.length - a.length);
