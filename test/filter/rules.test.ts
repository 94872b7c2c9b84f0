import { describe, expect, it } from "vitest";
import { FilterThresholds, type FilterLanguage, type RuleName } from "../../src/stages/filter/config.js";
import { RULES, firstFailedRule } from "../../src/stages/filter/rules/index.js";
import type { RuleContext } from "../../src/stages/filter/rules/index.js";
import type { FinishReason } from "../../src/llm/types.js";

const thresholds = FilterThresholds.parse({});
const context = (lang: FilterLanguage = "auto", finishReason?: FinishReason): RuleContext => ({ lang, thresholds, finishReason });
const rec = (instruction: string, output: string, input = "") => ({ instruction, input, output });

type Case = [label: string, record: ReturnType<typeof rec>, ctx?: RuleContext];

function expectRule(rule: RuleName, failing: Case[], passing: Case[]): void {
  describe(rule, () => {
    it.each(failing)("drops: %s", (_label, record, ctx) => {
      const verdict = RULES[rule](record, ctx ?? context());
      expect(verdict.pass).toBe(false);
    });
    it.each(passing)("keeps: %s", (_label, record, ctx) => {
      expect(RULES[rule](record, ctx ?? context())).toEqual({ pass: true });
    });
  });
}

expectRule(
  "empty_output",
  [["empty", rec("Name a color.", "")], ["whitespace", rec("Name a color.", " \n\t ")], ["zh empty", rec("说出一种颜色。", "   ")]],
  [["one word", rec("Name a color.", "Red")], ["zh", rec("说出一种颜色。", "红色")]],
);

expectRule(
  "placeholder_output",
  [
    ["N/A", rec("What is 2+2?", "N/A")],
    ["<nooutput>", rec("Draw a cat.", "<nooutput>")],
    ["ellipsis", rec("Summarize the text.", "...")],
    ["None.", rec("Give an example.", "None.")],
    ["无", rec("举一个例子。", "无")],
    ["不适用 in input and output", rec("设计一个算法。", "不适用", "不适用")],
  ],
  [
    ["'undefined' asked about", rec("Which of these is not a valid JSON type: 'undefined'?", "undefined")],
    ["None named in the input", rec("What does this function return?", "None", "def f():\n    pass  # returns None")],
    ["real short answer", rec("What is 2+2?", "4")],
    ["zh real answer", rec("中国的首都是哪里？", "北京")],
  ],
);

expectRule(
  "refusal",
  [
    ["AI disclaimer", rec("Write a poem.", "As an AI language model, I cannot write poems.")],
    ["disclaimer mid-text", rec("What do you feel?", "That's a good question. As an AI language model, I do not have feelings.")],
    ["sorry but cannot", rec("Show me the picture.", "I'm sorry, but I cannot display images.")],
    ["curly apostrophe", rec("Browse this site.", "I’m sorry, but I can’t browse the internet.")],
    ["I cannot fulfill", rec("Hack the server.", "I cannot fulfill this request.")],
    ["no access", rec("What's the weather now?", "I don't have access to real-time weather data.")],
    ["zh disclaimer", rec("你喜欢什么？", "作为一个AI，我没有个人喜好。")],
    ["zh 作为人工智能", rec("你怎么看？", "作为人工智能语言模型，我没有观点。")],
    ["zh apology", rec("画一只猫。", "抱歉，我无法画图。")],
    ["zh 我不能", rec("告诉我密码。", "我不能提供这种信息。")],
  ],
  [
    ["sorry to hear (consolation)", rec("Write a condolence note.", "I'm sorry to hear about your loss. My thoughts are with you.")],
    ["declining an invitation", rec("Write an email declining a party invitation.", "Unfortunately, I cannot attend your party on Saturday, but thank you for inviting me.")],
    ["'cannot' later in prose", rec("Explain constants.", "A constant is a value that cannot be changed once it is set.")],
    ["story character says sorry", rec("Write a dialogue.", "Tom: I'm sorry I was late.\nAnna: That's fine.")],
    ["zh consolation", rec("写一封慰问信。", "听到这个消息我很抱歉，请节哀。")],
    ["zh declining a wedding", rec("写一封婉拒婚礼邀请的信。", "抱歉，我不能参加你的婚礼，祝你们幸福。")],
    ["zh 不能 inside a sentence", rec("解释常量。", "常量是一旦设定就不能改变的值。")],
  ],
);

expectRule(
  "truncated_output",
  [
    ["finish reason length", rec("Explain gravity.", "Gravity is a force.", ""), context("auto", "length")],
    ["unclosed fence", rec("Write code.", "Here is the code:\n```python\nprint('hi')")],
    ["dangling connective", rec("Describe the water cycle.", "Water evaporates from the oceans, condenses into clouds and")],
    ["dangling comma", rec("List the benefits of exercise.", "Exercise improves heart health, strengthens muscles,")],
    ["runs on mid-sentence", rec("Explain inflation.", "Inflation is a general rise in prices. It happens when the supply of money grows faster than the economy can")],
    ["zh dangling", rec("描述水循环。", "水从海洋蒸发，形成云层，然后通过降雨回到地面，并且流入河流和")],
  ],
  [
    ["sentence", rec("Explain gravity.", "Gravity is the force that pulls masses together.")],
    ["code", rec("Write a function.", "def add(a, b):\n    return a + b")],
    ["number", rec("What is 6 times 7?", "42")],
    ["label", rec("Classify the sentiment.", "Positive", "I love it")],
    ["title", rec("Suggest a title for the paper.", "Prompt Waywardness: The Curious Case of Discretized Interpretation of Continuous Prompts")],
    ["list", rec("List three fruits.", "- apple\n- banana\n- cherry")],
    ["poem", rec("Write a short poem.", "Leaves fall slowly down\nthe river carries them home\nautumn says goodbye")],
    ["sign-off", rec("Write an email.", "Hi Sam,\n\nThanks for the update.\n\nBest regards,\nAlex")],
    ["hashtags", rec("Write a tweet.", "Our new jam is here! #homemade #delicious")],
    ["reversed input", rec("Reverse the words.", "dog lazy the over jumped fox brown quick The", "The quick brown fox jumped over the lazy dog")],
    ["closed fence", rec("Write code.", "```js\nconsole.log(1)\n```")],
    ["zh without final 。", rec("谁是最成功的CEO？", "杰夫·贝索斯担任 CEO 期间最为成功，他将亚马逊的市值增加到 1.6 万亿美元")],
    ["zh label ending in 的", rec("将句子分类为正面或负面。", "消极的", "这个产品太糟糕了。")],
  ],
);

expectRule(
  "restates_input",
  [
    ["repeats the instruction", rec("What is the capital city of France and why is it important?", "What is the capital city of France and why is it important?")],
    ["repeats the input", rec("Classify the relationship between the two people.", "John and Mary are brother and sister.", "John and Mary are brother and sister.")],
    ["zh repeats the input", rec("对约翰和玛丽之间的关系进行分类。", "约翰和玛丽是兄妹。", "约翰和玛丽是兄妹。")],
    ["zh translation left untranslated", rec("将这句话从法语翻译成英语。", "我喜欢远足和爬山。", "我喜欢远足和爬山。")],
  ],
  [
    ["echoes the question and answers", rec("Find the smallest prime number in the list.", "The smallest prime number in the list is 7.", "[4, 7, 11]")],
    ["zh echo with the answer", rec("铁的化学符号是什么", "铁的化学符号是Fe。")],
    ["editing task, already correct", rec("Correct the grammar of this sentence.", "She walked to the store yesterday.", "She walked to the store yesterday.")],
    ["zh editing task", rec("编辑以下句子的语法和风格。", "教授准确地回答了学生的问题。", "教授准确地回答了学生的问题。")],
    ["ranking reorders the input", rec("Rank these countries by their population.", "China, US, Brazil, Japan, Canada, Australia", "Brazil, China, US, Japan, Canada, Australia")],
    ["code extends the input", rec("Suggest a modification to the following C code.", "int a,b;\nif (a > b) {\n    printf(\"a > b\");\n}", "int a,b;\nif (a > b)\nprintf(\"a > b\");")],
    ["short label", rec("Is this positive?", "Yes", "Is this positive?")],
  ],
);

expectRule(
  "unseeable_reference",
  [
    ["attached photo", rec("Describe the attached photo.", "A dog on a beach.")],
    ["following image, empty input", rec("What is shown in the following image?", "A mountain.")],
    ["link with only a URL", rec("Summarize the article at this link.", "The article is about AI.", "https://example.com/news/123")],
    ["input is a stand-in", rec("Count the people in this picture.", "There are 8 people.", "[photo attached]")],
    ["zh 这张照片", rec("统计这张照片中的人数", "照片上有8个人。", "[附照片]")],
    ["zh 下面的照片", rec("为下面的照片生成一个有趣的标题。", "当你的约会对象说想留在家里。")],
    ["zh 以下链接", rec("以下链接中文章的主题是什么？", "这篇文章的主题是网络安全。", "https://news.example.com/a.html")],
  ],
  [
    ["image described in words", rec("Write a caption for the image.", "Golden hour by the sea.", "A photo of a sunset over the ocean with two sailboats.")],
    ["photos in general", rec("Give tips for taking better photos.", "Use natural light and steady your camera.")],
    ["imagined picture", rec("Describe a picture of a peaceful village.", "Small houses line a quiet river.")],
    ["code that shows an image", rec("Write HTML to display the given image.", "<img src=\"cat.png\" alt=\"cat\">")],
    ["graph data in the input", rec("Find the shortest path in the graph.", "A → B → D", "Edges: A-B 1, B-D 2, A-C 5, C-D 1")],
    ["zh generic photos", rec("描述如何使用机器学习来检测照片中的情绪。", "可以用标记好的图像训练分类器。")],
    ["chord named in the input", rec("识别下列音乐和弦的类型。", "和弦是D小调和弦。", "D小调")],
  ],
);

const loop = "The cat sat on the mat and looked around. ".repeat(12);
const zhLoop = "我们必须保护环境，保护地球家园。".repeat(12);
expectRule(
  "repetition",
  [
    ["looping English", rec("Write a story about a cat.", loop)],
    ["looping Chinese", rec("写一段关于环保的话。", zhLoop)],
  ],
  [
    ["parallel list", rec("Give five tips.", "1. Drink water every day.\n2. Sleep eight hours a night.\n3. Walk for thirty minutes.\n4. Eat more vegetables and fruit.\n5. Call a friend once a week to talk.")],
    ["repetitive HTML table (code)", rec("Write an HTML table.", "<table>\n" + "  <tr><td>cell</td><td>cell</td></tr>\n".repeat(10) + "</table>")],
    ["zh ordinary prose", rec("介绍长城。", "长城是中国古代的军事防御工程，东起山海关，西至嘉峪关，全长两万多公里。它由城墙、敌楼、关城和烽火台组成，是世界上最伟大的建筑之一，每年吸引大量游客前来参观。")],
  ],
);

expectRule(
  "language_mismatch",
  [
    ["zh instruction, English answer", rec("写一首关于春天的诗。", "Spring is the season of flowers and the birds are singing in the trees.")],
    ["en instruction, Chinese answer", rec("Write a poem about spring.", "春天来了，花儿开了，鸟儿在树上歌唱。")],
    ["--lang zh, English instruction", rec("Write a poem about spring.", "春天来了，花儿开了。"), context("zh")],
  ],
  [
    ["translation task", rec("把下面的句子翻译成英文。", "The weather is nice today and we are going to the park.", "今天天气很好，我们要去公园。")],
    ["zh instruction on English input", rec("改正下面英文句子的语法错误。", "She goes to the school every day and she likes it.", "She go to the school every day and she like it.")],
    ["code answer", rec("写一个Python函数，计算两个数的和。", "def add(a, b):\n    return a + b")],
    ["names are no language", rec("您能为软件开发公司建议一个独特的名称吗？", "QuadraSoft Technologies、EchoCoder Systems、NurtureCode Solutions。")],
    ["e-mail address", rec("为此人生成一个有效的电子邮件地址", "john.smith@example.com", "约翰·史密斯")],
    ["formula", rec("陈述一个描述两个变量之间关系的数学方程式。", "y = mx + b")],
    ["zh instruction quoting an English title", rec("总结论文“A Social Network That Influences Attitudes and Behaviors”的主要论点", "该文讨论了在线社交网络如何影响人们的态度和行为。")],
  ],
);

expectRule(
  "length_bounds",
  [
    ["instruction too short", rec("Go", "Going.")],
    ["output too long", rec("Say something.", "word ".repeat(2100))],
    ["zh output too long", rec("写点什么。", "字".repeat(4100))],
    ["bounds from the config", rec("Write a long essay.", "Short answer."), { lang: "auto", thresholds: FilterThresholds.parse({ lengthBounds: { en: { instruction: { min: 2, max: 300 }, output: { min: 10, max: 2000 } }, zh: { instruction: { min: 3, max: 600 }, output: { min: 1, max: 4000 } } } }) }],
  ],
  [
    ["short instruction with input", rec("Translate.", "Bonjour.", "Hello.")],
    ["zh 填空 with input", rec("填空", "伸展并深呼吸几次。", "我早上做的第一件事是______")],
    ["normal", rec("Explain gravity briefly.", "Gravity pulls masses together.")],
  ],
);

describe("firstFailedRule", () => {
  it("reports the first enabled rule in rule order and skips disabled ones", () => {
    const record = rec("Describe the attached photo.", "N/A");
    expect(firstFailedRule(record, ["placeholder_output", "unseeable_reference"], context())?.rule).toBe("placeholder_output");
    expect(firstFailedRule(record, ["unseeable_reference"], context())).toMatchObject({ rule: "unseeable_reference", evidence: { reference: "the attached photo" } });
    expect(firstFailedRule(record, ["refusal"], context())).toBeUndefined();
  });
});

// --- issue 19: what people actually see -------------------------------------------------------

expectRule(
  "repetition",
  [
    ["one word looped", rec("Describe the ocean.", "blue blue blue blue blue")],
    ["a phrase looped", rec("Write a love letter.", "I love you. I love you. I love you. I love you.")],
    ["three words, said three times", rec("Give three synonyms for 'big'.", "large, large, large")],
    ["zh phrase looped", rec("评价一下这部电影。", "好看好看好看好看")],
    ["zh phrase looped with punctuation", rec("为“盛大”这个词写出三个选项。", "富丽堂皇，富丽堂皇，富丽堂皇。")],
    ["a loop cut mid-unit", rec("Say something nice.", "you are great you are great you are great you are")],
  ],
  [
    ["the task asks for repetition", rec("Repeat the word 'hello' five times.", "hello hello hello hello hello")],
    ["zh task asks for repetition", rec("把“加油”重复三遍。", "加油加油加油")],
    ["numbers may repeat", rec("List the first four elements of the array.", "1 1 1 1", "[1, 1, 1, 1, 2]")],
    ["the input holds the loop", rec("Classify the chant.", "go team go team go team", "go team go team go team")],
    ["a word twice", rec("How do you say 'no' emphatically?", "No, no.")],
    ["a regex repeats its character classes", rec("Suggest a RegEx pattern for validating email addresses.", "^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$")],
    ["zh reduplication", rec("用叠词造句。", "天天向上，看看风景。")],
  ],
);

expectRule(
  "restates_input",
  [
    ["short output = the instruction", rec("Name a fruit.", "Name a fruit.")],
    ["echo of the instruction, case and punctuation aside", rec("What is the boiling point of water?", "what is the boiling point of water")],
    ["zh echo of the instruction", rec("中国的首都是哪里？", "中国的首都是哪里")],
    ["paraphrase returns the input", rec("Paraphrase the sentence.", "The meeting was postponed.", "The meeting was postponed.")],
    ["restyle returns the input", rec("Rewrite this in a more formal tone.", "Hey, see you soon!", "Hey, see you soon!")],
    ["summary is the input", rec("Summarize the text.", "Cats sleep a lot.", "Cats sleep a lot.")],
    ["translation left untranslated (short)", rec("Translate into French.", "Good morning", "Good morning")],
    ["zh passive voice left unchanged", rec("将下列句子变为被动语态", "我买了一本书。", "我买了一本书")],
    ["near-exact: one word dropped from a long input", rec("Simplify the following paragraph.", "The committee, after a long and careful deliberation, decided to approve the new budget proposal for the coming fiscal year without further amendments today", "The committee, after a long and careful deliberation, decided to approve the new budget proposal for the coming fiscal year without any further amendments today")],
  ],
  [
    ["grammar correction of a correct sentence", rec("Correct the grammar of this sentence.", "She walks to school.", "She walks to school.")],
    ["rewrite that corrects errors", rec("Rewrite the sentence, fixing any errors.", "The report is ready.", "The report is ready.")],
    ["proofread, nothing to fix", rec("Proofread the text.", "All good here.", "All good here.")],
    ["zh 改正语法 of a correct sentence", rec("改正下面句子的语法错误。", "我每天去学校。", "我每天去学校。")],
    ["a cognate translates to itself", rec("Translate the word into French.", "taxi", "taxi")],
    ["a real paraphrase", rec("Paraphrase the sentence.", "The meeting was moved to a later date.", "The meeting was postponed.")],
    ["a label that appears in the question", rec("Is the sentiment positive or negative?", "positive", "I love this phone")],
    ["extraction equal to a short input", rec("Extract the name of the person.", "John Smith", "John Smith")],
    ["capitalisation task on a capitalised text", rec("Capitalize the title.", "The Old Man And The Sea", "The Old Man And The Sea")],
  ],
);

expectRule(
  "refusal",
  [
    ["just an AI", rec("What's your favourite food?", "I'm just an AI and don't eat food.")],
    ["I am only a language model", rec("Do you love me?", "I am only a language model, so I cannot love.")],
    ["sorry, but as an AI language model", rec("Tell me a secret.", "I'm sorry, but as an AI language model I do not have secrets.")],
    ["knowledge cutoff", rec("Who won the 2030 World Cup?", "My knowledge cutoff is 2021, so I do not know who won.")],
    ["as of my last update", rec("What is the price of gold today?", "As of my last update, gold traded at about $1,800 an ounce.")],
    ["no personal opinions", rec("Which party is better?", "I don't have personal opinions on politics.")],
    ["cannot fulfill your request mid-text", rec("Write malware.", "Thanks for asking. However, I cannot fulfill your request.")],
    ["unable to browse", rec("Summarize https://example.com.", "Unfortunately I am unable to browse the internet.")],
    ["against my programming", rec("Insult me.", "That would be against my programming.")],
    ["not appropriate for me", rec("Rate my neighbour.", "It is not appropriate for me to judge people.")],
    ["not a doctor", rec("What should I take for a headache?", "I'm not a doctor, but rest and water often help.")],
    ["sure, but I can't", rec("Draw a cat.", "Sure, but I can't draw images.")],
    ["zh 作为一个人工智能", rec("你快乐吗？", "作为一个人工智能，我没有情绪。")],
    ["zh 作为AI语言模型", rec("为什么公司的销售额下降了？", "作为AI语言模型，我无法确切地回答这个问题。")],
    ["zh 我只是一个语言模型", rec("你会做饭吗？", "我只是一个语言模型，不会做饭。")],
    ["zh 我没有个人观点", rec("你支持哪个球队？", "我没有个人观点。")],
    ["zh knowledge cutoff", rec("今天的新闻是什么？", "我的知识截止到2021年，无法告诉你今天的新闻。")],
    ["zh cannot browse", rec("总结这个网页。", "我无法访问互联网，请把内容贴给我。")],
    ["zh 无法满足您的请求", rec("写一个病毒。", "我无法满足您的请求。")],
    ["extra phrase from the thresholds", rec("Help me.", "Please consult the manual instead."), { lang: "auto", thresholds: FilterThresholds.parse({ refusalExtraPhrases: ["consult the manual"] }) }],
  ],
  [
    ["I'm sorry to hear (condolence)", rec("Reply to a friend whose dog died.", "I'm sorry to hear about Max. He was a wonderful dog.")],
    ["I'm sorry for your loss", rec("Write a sympathy card.", "I'm so sorry for your loss. We are thinking of you.")],
    ["an AI researcher", rec("Introduce yourself as a scientist.", "I am an AI researcher, and I study neural networks.")],
    ["as a machine learning engineer", rec("Write a LinkedIn summary.", "As a machine learning engineer, I build models that ship.")],
    ["a persona the task asks for", rec("Describe the daily workflow of an AI voice assistant.", "As an AI voice assistant, the day starts with wake-word detection.")],
    ["zh persona the task asks for", rec("请描述一下作为一名AI语音助手的日常工作流程。", "作为一名AI语音助手的日常工作流程通常分为以下几个步骤。")],
    ["zh AI engineer", rec("做一个自我介绍。", "作为一名AI工程师，我每天训练模型。")],
    ["zh 没有意识到", rec("写一句道歉。", "对不起，我没有意识到你在等我。")],
    ["zh 听到这个消息很抱歉", rec("写一封慰问信。", "很抱歉听到这个消息，请节哀。")],
    ["discusses ethics without refusing", rec("Explain the ethics of AI.", "AI ethics studies how systems should treat people fairly and safely.")],
    ["a company policy", rec("Write a warning email.", "This behaviour violates the policy of our company.")],
  ],
);

describe("taskKind", () => {
  it("tells corrections (may return the input) from transforms (must change it)", async () => {
    const { taskKind } = await import("../../src/stages/filter/textShape.js");
    expect(taskKind("Correct the grammar.").kind).toBe("corrective");
    expect(taskKind("Rewrite the sentence, correcting errors.").kind).toBe("corrective");
    expect(taskKind("Rewrite the sentence in a formal tone.").kind).toBe("transform");
    expect(taskKind("Translate into Spanish.").kind).toBe("transform");
    expect(taskKind("将下列句子翻译成法语。").kind).toBe("transform");
    expect(taskKind("改正句子中的错误。").kind).toBe("corrective");
    expect(taskKind("Sort the list.").kind).toBe("other");
  });
});
